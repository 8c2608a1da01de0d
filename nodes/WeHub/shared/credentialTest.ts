import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { openStoreFor, settingsFromCredential } from './settings';
import { errorMessage } from './errorMessage';

/** Name both nodes give in `credentials: [{name: 'weHubApi', testedBy: ...}]`. */
export const WEHUB_CREDENTIAL_TEST = 'weHubApiTest';

/** An unreachable Redis server would otherwise keep the credential dialog spinning. */
const TEST_TIMEOUT_MS = 10_000;

/**
 * WeHub has no endpoint to call: the credential is good when its settings are complete and the
 * chosen task store opens and answers a read.
 */
export async function testWeHubCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const settings = settingsFromCredential(credential.data ?? {});
		const bots = await withTimeout(
			(async () => {
				const store = await openStoreFor(settings);
				return await store.listBots(settings.appid);
			})(),
			TEST_TIMEOUT_MS,
		);
		const online = bots.filter((bot) => bot.online).length;
		return {
			status: 'OK',
			message: `The ${settings.store.backend} task store answered: ${bots.length} bot(s) known for this appid, ${online} online`,
		};
	} catch (error) {
		return {
			status: 'Error',
			message: `The task store could not be opened: ${errorMessage(error)}`,
		};
	}
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
