import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { settingsFromCredential, type WeHubSettings } from './settings';

/**
 * How long the trigger's webhook reuses a credential's settings. n8n 2.x decrypts a credential
 * inside an expression sandbox of its own (a V8 isolate built and disposed per call): on the
 * webhook path that was about a third of the CPU of one poll. An edited credential applies to
 * callbacks within this time.
 */
export const SETTINGS_TTL_MS = 5_000;
/** Credentials are few; the bound only keeps a pathological setup from growing the map. */
const MAX_ENTRIES = 1_000;

interface Entry {
	settings: Promise<WeHubSettings>;
	until: number;
}

const entries = new Map<string, Entry>();

/**
 * The settings of credential `credentialId`, read through `read` at most once per
 * SETTINGS_TTL_MS (concurrent callers share one read). Without an id nothing is cached; a read
 * that fails is not cached either, so a fixed credential applies at once.
 */
export async function cachedSettings(
	credentialId: string | null | undefined,
	read: () => Promise<ICredentialDataDecryptedObject>,
	now: number = Date.now(),
): Promise<WeHubSettings> {
	if (!credentialId) return settingsFromCredential(await read());
	const cached = entries.get(credentialId);
	if (cached && cached.until > now) return await cached.settings;

	const settings = read().then(settingsFromCredential);
	const entry = { settings, until: now + SETTINGS_TTL_MS };
	if (entries.size >= MAX_ENTRIES) entries.clear();
	entries.set(credentialId, entry);
	settings.catch(() => {
		if (entries.get(credentialId) === entry) entries.delete(credentialId);
	});
	return await settings;
}

/** Forgets every cached credential (tests). */
export function clearSettingsCache(): void {
	entries.clear();
}
