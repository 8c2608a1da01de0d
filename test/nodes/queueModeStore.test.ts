import { mock } from 'jest-mock-extended';
import type { IDataObject, IHookFunctions, INode, Logger } from 'n8n-workflow';

import {
	embeddedStoreQueueWarning,
	isQueueMode,
	neverPolledMessage,
} from '../../nodes/WeHub/shared/queueModeStore';
import { settingsFromCredential } from '../../nodes/WeHub/shared/settings';
import { closeAllTaskStores } from '../../nodes/WeHub/store/openTaskStore';
import { WeHubTrigger } from '../../nodes/WeHub/WeHubTrigger.node';
import { embeddedCredential, runNodeWithHints, storeFor, tempStoreFolder } from './action/harness';

/**
 * Queue mode with the embedded store works on one host (every process opens the same folder) and
 * silently splits the task queue across hosts. The nodes say so, and the action node refuses the
 * one case that cannot work: queuing for a bot that never polled this store.
 */
const BOT = 'wxid_bot_shop01';
const FRIEND = 'wxid_k2m9x7lq4a12';
const MEDIA_URL =
	'https://n8n.example.com/webhook/5b0c2a8e-1d7e-4c55-9f0a-2f5b7c1d9e01/wehub/media/:id';

const folder = tempStoreFolder();
const savedMode = process.env.EXECUTIONS_MODE;
let apps = 0;

afterEach(() => {
	if (savedMode === undefined) delete process.env.EXECUTIONS_MODE;
	else process.env.EXECUTIONS_MODE = savedMode;
});
afterAll(async () => {
	await closeAllTaskStores();
	folder.remove();
});

function freshCredential(): IDataObject & { appId: string } {
	return embeddedCredential(`app-queue-mode-${++apps}`, folder.path);
}

async function botPolled(credential: { appId: string }) {
	const store = await storeFor(credential);
	await store.recordLogin({ appid: credential.appId, wxid: BOT }, { client_version: '0.4.26' });
	await store.poll({ appid: credential.appId, wxid: BOT });
}

async function sendPong(credential: IDataObject) {
	return (await sendPongWithHints(credential)).output;
}

async function sendPongWithHints(credential: IDataObject) {
	const { output, hints } = await runNodeWithHints(credential, {
		parameters: {
			resource: 'message',
			operation: 'send',
			botWxid: BOT,
			sendTo: 'wxid',
			toWxid: FRIEND,
			messages: { unit: [{ type: 'text', text: 'pong' }] },
		},
	});
	return { output: output[0].json, hints: hints.map((hint) => hint.message) };
}

describe('queue mode detection', () => {
	it('is queue mode only when EXECUTIONS_MODE is queue, as n8n reads it', () => {
		expect(isQueueMode({ EXECUTIONS_MODE: 'queue' })).toBe(true);
		expect(isQueueMode({ EXECUTIONS_MODE: 'regular' })).toBe(false);
		expect(isQueueMode({})).toBe(false);
	});

	it('warns about the embedded store only, naming the appid and the fix', () => {
		const embedded = settingsFromCredential({ appId: 'wh_app_1', storeBackend: 'embedded' });
		const redis = settingsFromCredential({
			appId: 'wh_app_1',
			storeBackend: 'redis',
			redisHost: 'redis.internal',
		});
		const queue = { EXECUTIONS_MODE: 'queue' };

		expect(embeddedStoreQueueWarning(embedded, queue)).toMatch(
			/queue mode .* wh_app_1 uses the embedded task store.*switch the credential to the Redis store/s,
		);
		expect(embeddedStoreQueueWarning(redis, queue)).toBeUndefined();
		expect(embeddedStoreQueueWarning(embedded, {})).toBeUndefined();
	});

	it('words the refusal as the user should read it', () => {
		expect(neverPolledMessage(BOT)).toBe(
			`Bot ${BOT} has never polled this store; in queue mode with several hosts, switch the WeHub API credential to the Redis store`,
		);
	});
});

describe('action node in queue mode with the embedded store', () => {
	it('refuses to queue for a bot that never polled this store, and queues nothing', async () => {
		process.env.EXECUTIONS_MODE = 'queue';
		const credential = freshCredential();

		await expect(sendPong(credential)).rejects.toThrow(neverPolledMessage(BOT));
		const store = await storeFor(credential);
		expect(await store.list({ appid: credential.appId, wxid: BOT })).toEqual([]);
	});

	it('also refuses a bot that logged in but never pulled a task here', async () => {
		process.env.EXECUTIONS_MODE = 'queue';
		const credential = freshCredential();
		const store = await storeFor(credential);
		await store.recordLogin({ appid: credential.appId, wxid: BOT }, { client_version: '0.4.26' });

		await expect(sendPong(credential)).rejects.toThrow(/has never polled this store/);
	});

	it('queues for a bot that polls this store (one host) and warns in an execution hint', async () => {
		process.env.EXECUTIONS_MODE = 'queue';
		const credential = freshCredential();
		await botPolled(credential);

		const { output, hints } = await sendPongWithHints(credential);

		expect(output).toMatchObject({ state: 'queued', bot_wxid: BOT, position: 1 });
		expect(output).not.toHaveProperty('warning');
		expect(hints).toEqual([expect.stringMatching(/embedded task store.*Redis store/s)]);
	});

	it('gives no queue-mode warning outside queue mode', async () => {
		delete process.env.EXECUTIONS_MODE;
		const credential = freshCredential();
		await botPolled(credential);

		const { output, hints } = await sendPongWithHints(credential);

		expect(output).toMatchObject({ state: 'queued', position: 1 });
		expect(hints).toEqual([]);
	});
});

describe('trigger activation in queue mode', () => {
	function activationContext(credential: IDataObject) {
		const ctx = mock<IHookFunctions>({ logger: mock<Logger>() });
		ctx.getNodeWebhookUrl.mockReturnValue(MEDIA_URL);
		ctx.getCredentials.mockResolvedValue(credential as never);
		ctx.getMode.mockReturnValue('trigger');
		ctx.getNode.mockReturnValue(mock<INode>({ name: 'WeHub Trigger' }));
		return ctx;
	}

	it('logs a warning when the credential uses the embedded store', async () => {
		process.env.EXECUTIONS_MODE = 'queue';
		const ctx = activationContext(freshCredential());

		expect(await new WeHubTrigger().webhookMethods.default.create.call(ctx)).toBe(true);

		expect(ctx.logger.warn).toHaveBeenCalledWith(
			expect.stringMatching(/queue mode .*embedded task store.*Redis store/s),
			{ node: 'WeHub Trigger' },
		);
	});

	it('logs nothing outside queue mode', async () => {
		delete process.env.EXECUTIONS_MODE;
		const ctx = activationContext(freshCredential());

		await new WeHubTrigger().webhookMethods.default.create.call(ctx);

		expect(ctx.logger.warn).not.toHaveBeenCalled();
	});
});
