import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import {
	cachedSettings,
	clearSettingsCache,
	SETTINGS_TTL_MS,
} from '../../../nodes/WeHub/shared/settingsCache';

describe('cachedSettings (the trigger webhook reads a credential once per few seconds)', () => {
	const credential = (appId: string): ICredentialDataDecryptedObject => ({
		appId,
		storeBackend: 'embedded',
	});
	let reads: number;
	let current: ICredentialDataDecryptedObject;
	const read = async () => {
		reads++;
		return current;
	};

	beforeEach(() => {
		clearSettingsCache();
		reads = 0;
		current = credential('wh_first');
	});

	it('reads once within the time to live, again after it', async () => {
		const t0 = 1_000_000;
		expect((await cachedSettings('cred-1', read, t0)).appid).toBe('wh_first');
		current = credential('wh_edited');
		expect((await cachedSettings('cred-1', read, t0 + SETTINGS_TTL_MS - 1)).appid).toBe('wh_first');
		expect(reads).toBe(1);
		expect((await cachedSettings('cred-1', read, t0 + SETTINGS_TTL_MS)).appid).toBe('wh_edited');
		expect(reads).toBe(2);
	});

	it('keeps credentials apart by id', async () => {
		await cachedSettings('cred-1', read, 0);
		current = credential('wh_other');
		expect((await cachedSettings('cred-2', read, 0)).appid).toBe('wh_other');
		expect((await cachedSettings('cred-1', read, 0)).appid).toBe('wh_first');
		expect(reads).toBe(2);
	});

	it('shares one read between concurrent callers', async () => {
		const all = await Promise.all(
			Array.from({ length: 10 }, async () => await cachedSettings('cred-1', read, 0)),
		);
		expect(new Set(all.map((s) => s.appid))).toEqual(new Set(['wh_first']));
		expect(reads).toBe(1);
	});

	it('caches nothing without a credential id', async () => {
		await cachedSettings(undefined, read, 0);
		await cachedSettings('', read, 0);
		expect(reads).toBe(2);
	});

	it('does not keep a failed read: a fixed credential applies at once', async () => {
		current = { storeBackend: 'embedded' }; // no App ID
		await expect(cachedSettings('cred-1', read, 0)).rejects.toThrow(/no App ID/);
		current = credential('wh_fixed');
		expect((await cachedSettings('cred-1', read, 1)).appid).toBe('wh_fixed');
		expect(reads).toBe(2);
	});
});
