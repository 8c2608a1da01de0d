import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { WeHubSettings } from '../../nodes/WeHub/shared/settings';
import type { StoreConfig } from '../../nodes/WeHub/store/StoreConfig';
import { closeAllTaskStores, openTaskStore } from '../../nodes/WeHub/store/openTaskStore';
import type { TaskStore } from '../../nodes/WeHub/store/TaskStore';
import type { CallbackContext } from '../../nodes/WeHub/trigger/handleCallback';
import { DEFAULT_TRIGGER_OPTIONS, type TriggerOptions } from '../../nodes/WeHub/trigger/options';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';

/** The appid and secret of the fixtures under test/fixtures (WeHub's published example secret). */
export const APPID = 'wh_appid_3f9c2a';
export const SECRET = '112233';
export const NOW = Date.parse('2026-11-20T08:30:00.000Z');

export type Backend = 'embedded' | 'redis';

/** A real task store per test file: lmdb in a temp folder, or a private redis-server. */
export class StoreFixture {
	private folder?: string;
	private redis?: RedisServer;
	private counter = 0;
	config!: StoreConfig;

	constructor(readonly backend: Backend) {}

	async start(): Promise<void> {
		if (this.backend === 'redis') {
			this.redis = await startRedisServer();
		} else {
			this.folder = mkdtempSync(join(tmpdir(), 'wehub-trigger-'));
		}
		this.fresh();
	}

	/** A new, empty store namespace, so tests do not see each other's bots and tasks. */
	fresh(): StoreConfig {
		this.counter += 1;
		this.config =
			this.backend === 'redis'
				? {
						backend: 'redis',
						host: '127.0.0.1',
						port: this.redis!.port,
						keyPrefix: `t${this.counter}:`,
					}
				: { backend: 'embedded', path: join(this.folder!, `store-${this.counter}`) };
		return this.config;
	}

	async store(): Promise<TaskStore> {
		return await openTaskStore(this.config);
	}

	async stop(): Promise<void> {
		await closeAllTaskStores();
		if (this.folder) rmSync(this.folder, { recursive: true, force: true });
		await this.redis?.stop();
	}
}

export function settings(
	fixture: StoreFixture,
	overrides: Partial<WeHubSettings> = {},
): WeHubSettings {
	return {
		appid: APPID,
		secretKey: SECRET,
		allowedBots: null,
		store: fixture.config,
		...overrides,
	};
}

export function context(
	fixture: StoreFixture,
	options: Partial<TriggerOptions> = {},
	overrides: Partial<WeHubSettings> = {},
): CallbackContext {
	return {
		settings: settings(fixture, overrides),
		store: async () => await fixture.store(),
		options: { ...DEFAULT_TRIGGER_OPTIONS, events: ['*'], ...options },
		now: NOW,
	};
}

/** A request body as WeHub sends it. */
export function body(action: string, wxid: string, data: unknown, appid = APPID): Buffer {
	return Buffer.from(JSON.stringify({ action, appid, wxid, data }));
}
