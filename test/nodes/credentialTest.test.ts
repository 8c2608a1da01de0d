import { mock } from 'jest-mock-extended';
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions } from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MISSING_SECRET_KEY, testWeHubCredential } from '../../nodes/WeHub/shared/credentialTest';
import { settingsFromCredential } from '../../nodes/WeHub/shared/settings';
import { decideLogin } from '../../nodes/WeHub/trigger/login';
import { closeAllTaskStores } from '../../nodes/WeHub/store/openTaskStore';

/** The credential test n8n runs when a WeHub API credential is saved (both nodes name it). */
describe('WeHub API credential test', () => {
	const fns = mock<ICredentialTestFunctions>();
	let folder: string;
	beforeAll(() => {
		folder = mkdtempSync(join(tmpdir(), 'wehub-credential-test-'));
	});
	afterAll(async () => {
		await closeAllTaskStores();
		rmSync(folder, { recursive: true, force: true });
	});

	const credential = (data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject => ({
		appId: 'wh_app_5f3c2a',
		storeBackend: 'embedded',
		storePath: join(folder, 'store'),
		...data,
	});
	const test = async (data: ICredentialDataDecryptedObject) =>
		await testWeHubCredential.call(fns, { id: '7', name: 'WeHub', type: 'weHubApi', data });

	it('passes with a secret key and a store that answers', async () => {
		expect(await test(credential({ secretKey: 'k3y-of-the-appid' }))).toEqual({
			status: 'OK',
			message: 'The embedded task store answered: 0 bot(s) known for this appid, 0 online',
		});
	});

	it.each([
		['no Secret Key', {}],
		['an empty Secret Key', { secretKey: '' }],
		['a Secret Key of spaces', { secretKey: '   ' }],
	])(
		'fails with %s, saying that current WeHub clients cannot log in',
		async (_case, data: ICredentialDataDecryptedObject) => {
			const result = await test(credential(data));
			expect(result).toEqual({
				status: 'Error',
				message: `${MISSING_SECRET_KEY} (The embedded task store answered: 0 bot(s) known for this appid, 0 online)`,
			});
			expect(result.message).toMatch(/^No Secret Key: WeHub 0\.4\.0 and later sign every login/);
			// What it warns about: the trigger's answer to a WeHub 0.4 login, which always has a nonce.
			const settings = settingsFromCredential(credential(data));
			expect(decideLogin('wxid_bot_fangqing', { nonce: 'c2f1e0a9' }, settings)).toMatchObject({
				accepted: false,
			});
		},
	);

	it('names the secret key too when the store cannot be opened', async () => {
		const result = await test(credential({ storeBackend: 'redis', redisHost: '' }));
		expect(result).toEqual({
			status: 'Error',
			message: `The task store could not be opened: The WeHub API credential uses Redis but has no Redis host. ${MISSING_SECRET_KEY}`,
		});
	});

	it('fails with the reason when the credential is incomplete', async () => {
		expect(await test(credential({ appId: '', secretKey: 'k3y' }))).toEqual({
			status: 'Error',
			message: 'The task store could not be opened: The WeHub API credential has no App ID',
		});
	});
});
