import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { DAILY_CAP_FIELDS, STORE_DEFAULTS } from '../defaults';
import type { StoreLimits, TaskStore } from '../store/TaskStore';
import type { StoreConfig } from '../store/StoreConfig';
import { openTaskStore } from '../store/openTaskStore';

/** Everything both nodes need from a `WeHub API` credential, in the shape protocol and store use. */
export interface WeHubSettings {
	appid: string;
	/** Undefined when the credential has none: logins carrying a nonce are then refused. */
	secretKey?: string;
	/** Bot wxids allowed to log in; null = any account may log in through this appid. */
	allowedBots: string[] | null;
	store: StoreConfig;
}

/** Allowed Bots (null = any account) decides who may log in, poll, and have tasks queued. */
export function botAllowed(settings: Pick<WeHubSettings, 'allowedBots'>, wxid: string): boolean {
	return !settings.allowedBots || settings.allowedBots.includes(wxid);
}

/** The credential's Secret Key as both nodes read it; read alone when the rest may be invalid. */
export function secretKeyOf(data: ICredentialDataDecryptedObject): string | undefined {
	return text(data.secretKey) || undefined;
}

export function settingsFromCredential(data: ICredentialDataDecryptedObject): WeHubSettings {
	const appid = text(data.appId);
	if (!appid) throw new Error('The WeHub API credential has no App ID');
	return {
		appid,
		secretKey: secretKeyOf(data),
		allowedBots: parseWxidList(text(data.allowedBots)),
		store: storeConfig(data),
	};
}

export async function openStoreFor(settings: WeHubSettings): Promise<TaskStore> {
	return await openTaskStore(settings.store);
}

/** Splits a comma, semicolon, whitespace or newline separated list; empty means "no list". */
export function parseWxidList(value: string): string[] | null {
	const wxids = value
		.split(/[\s,;，；]+/)
		.map((wxid) => wxid.trim())
		.filter((wxid) => wxid !== '');
	return wxids.length > 0 ? [...new Set(wxids)] : null;
}

function storeConfig(data: ICredentialDataDecryptedObject): StoreConfig {
	const limits = storeLimits(data);
	if (data.storeBackend === 'redis') {
		const host = text(data.redisHost);
		if (!host) throw new Error('The WeHub API credential uses Redis but has no Redis host');
		return {
			backend: 'redis',
			host,
			port: integer(data.redisPort, STORE_DEFAULTS.redisPort),
			username: text(data.redisUser) || undefined,
			password: text(data.redisPassword) || undefined,
			database: integer(data.redisDatabase, 0),
			tls: data.redisTls === true,
			keyPrefix: text(data.redisKeyPrefix) || STORE_DEFAULTS.redisKeyPrefix,
			limits,
		};
	}
	return { backend: 'embedded', path: text(data.storePath) || undefined, limits };
}

function storeLimits(data: ICredentialDataDecryptedObject): StoreLimits {
	const defaults = STORE_DEFAULTS;
	const dailyCaps: Record<number, number> = {};
	for (const [field, taskType] of Object.entries(DAILY_CAP_FIELDS)) {
		dailyCaps[taskType] = integer(data[field], defaults.dailyCaps[taskType]);
	}
	return {
		dailyCaps,
		minIntervalMs: Math.round(
			number(data.minTaskIntervalSeconds, defaults.minTaskIntervalSeconds) * 1000,
		),
		lostAfterMs: Math.round(number(data.lostAfterMinutes, defaults.lostAfterMinutes) * 60_000),
		retainFinishedMs: Math.round(number(data.retainDays, defaults.retainDays) * 24 * 3_600_000),
	};
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/** A non-negative number; missing, empty or invalid values fall back to the default. */
function number(value: unknown, fallback: number): number {
	// An empty field means "default", not 0 (0 would turn a daily cap into "never").
	const parsed =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value)
				: NaN;
	return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

function integer(value: unknown, fallback: number): number {
	return Math.floor(number(value, fallback));
}
