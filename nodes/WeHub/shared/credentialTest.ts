import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { openStoreFor, secretKeyOf, settingsFromCredential, type WeHubSettings } from './settings';
import { errorMessage } from './errorMessage';

/** Name both nodes give in `credentials: [{name: 'weHubApi', testedBy: ...}]`. */
export const WEHUB_CREDENTIAL_TEST = 'weHubApiTest';

/** An unreachable Redis server would otherwise keep the credential dialog spinning. */
const TEST_TIMEOUT_MS = 10_000;

/**
 * Why a credential without a secret key fails the test: WeHub 0.4.0 and later send a nonce with
 * every login (0.2.2 and later may), and the trigger refuses a login it cannot sign.
 */
export const MISSING_SECRET_KEY =
	'No Secret Key: WeHub 0.4.0 and later sign every login, and the WeHub Trigger refuses a login it cannot sign, so no current WeHub client can log in. Set Secret Key to the secret key of this App ID.';

/**
 * WeHub has no endpoint to call: the credential is good when its settings are complete, it has the
 * secret key current WeHub clients need, and the chosen task store opens and answers a read.
 * n8n's editor runs this on every Save of the credential (POST /rest/credentials/test).
 */
export async function testWeHubCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let settings: WeHubSettings;
	let answer: string;
	try {
		settings = settingsFromCredential(credential.data ?? {});
		const bots = await withTimeout(
			(async () => {
				const store = await openStoreFor(settings);
				return await store.listBots(settings.appid);
			})(),
			TEST_TIMEOUT_MS,
		);
		const online = bots.filter((bot) => bot.online).length;
		answer = `The ${settings.store.backend} task store answered: ${bots.length} bot(s) known for this appid, ${online} online`;
	} catch (error) {
		const missingKey = secretKeyOf(credential.data ?? {}) ? '' : `. ${MISSING_SECRET_KEY}`;
		return {
			status: 'Error',
			message: `The task store could not be opened: ${errorMessage(error)}${missingKey}`,
		};
	}
	if (!settings.secretKey) return { status: 'Error', message: `${MISSING_SECRET_KEY} (${answer})` };
	return { status: 'OK', message: answer };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
	});
	try {
		return await Promise.race([work, timeout]);
	} finally {
		clearTimeout(timer);
	}
}
