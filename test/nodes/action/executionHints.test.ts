import type { IDataObject } from 'n8n-workflow';

import { closeAllTaskStores } from '../../../nodes/WeHub/store/openTaskStore';
import { embeddedCredential, runNodeWithHints, storeFor, tempStoreFolder } from './harness';

/**
 * A green run must not hide that a task waits for nobody: the node says so in n8n's execution
 * hints (shown above the output), once per run, while the items keep only data.
 */
const BOT = 'wxid_bot_shop01';
const FRIEND = 'wxid_k2m9x7lq4a12';

const folder = tempStoreFolder();
afterAll(async () => {
	await closeAllTaskStores();
	folder.remove();
});

let apps = 0;
const newCredential = () => embeddedCredential(`app-hints-${++apps}`, folder.path);

const sendPong: IDataObject = {
	resource: 'message',
	operation: 'send',
	botWxid: BOT,
	sendTo: 'wxid',
	toWxid: FRIEND,
	messages: { unit: [{ type: 'text', text: 'pong' }] },
};

async function run(credential: IDataObject, itemCount = 1) {
	const { output, hints } = await runNodeWithHints(credential, {
		parameters: sendPong,
		items: Array.from({ length: itemCount }, () => ({ json: {} })),
	});
	return { output, hints };
}

describe('execution hints of the WeHub node', () => {
	it('queues for a bot the App ID has never seen, and says so once for the whole run', async () => {
		const credential = newCredential();

		const { output, hints } = await run(credential, 3);

		expect(output.map((item) => item.json.state)).toEqual(['queued', 'queued', 'queued']);
		const unseen = hints.filter((hint) => hint.message.includes('never logged in or polled'));
		expect(unseen).toEqual([
			{
				message: expect.stringMatching(
					new RegExp(
						`Bot ${BOT} has never logged in or polled through App ID ${credential.appId}.*Bot › Get Many`,
					),
				),
				type: 'warning',
				location: 'outputPane',
			},
		]);
	});

	it('says that the message shape is a guess while the bot’s client version is unknown', async () => {
		const { hints } = await run(newCredential());
		expect(hints.map((hint) => hint.message)).toContainEqual(
			expect.stringMatching(
				/WeHub version of bot wxid_bot_shop01 is unknown.*0\.1\.x and of 0\.2\+/,
			),
		);
	});

	it('gives no hint for a logged-in bot of a known version', async () => {
		const credential = newCredential();
		const store = await storeFor(credential);
		await store.recordLogin({ appid: credential.appId, wxid: BOT }, { client_version: '0.4.26' });

		const { output, hints } = await run(credential);

		expect(output[0].json).toMatchObject({ state: 'queued', client_version: '0.4.26' });
		expect(hints).toEqual([]);
	});

	it('warns when the bot is logged out', async () => {
		const credential = newCredential();
		const store = await storeFor(credential);
		const bot = { appid: credential.appId, wxid: BOT };
		await store.recordLogin(bot, { client_version: '0.4.26' });
		await store.recordLogout(bot);

		const { hints } = await run(credential);

		expect(hints).toEqual([
			expect.objectContaining({ type: 'warning', message: expect.stringMatching(/is logged out/) }),
		]);
	});
});

describe('an event the WeHub Trigger replayed (Durable Delivery)', () => {
	it('queues its task once: the replayed execution gets the first task back, existing: true', async () => {
		const credential = newCredential();
		const fromTrigger = { json: { delivery_id: 'dlz8k2q-7Jx4', bot_wxid: BOT, replayed: false } };
		const first = await runNodeWithHints(credential, {
			parameters: sendPong,
			items: [fromTrigger],
		});
		const replay = await runNodeWithHints(credential, {
			parameters: sendPong,
			items: [{ json: { ...fromTrigger.json, replayed: true } }],
		});

		expect(replay.output[0].json).toMatchObject({
			task_id: first.output[0].json.task_id,
			existing: true,
			meta: expect.objectContaining({ delivery_id: 'dlz8k2q-7Jx4' }),
		});
		expect(replay.hints.map((hint) => hint.message)).toContainEqual(
			expect.stringMatching(/replayed event: its task was already queued/),
		);
		const store = await storeFor(credential);
		expect(await store.list({ appid: credential.appId, wxid: BOT })).toHaveLength(1);
	});

	it('keys each item and node apart: two items of one event queue two tasks', async () => {
		const credential = newCredential();
		const item = { json: { delivery_id: 'dlz8k2q-9Ab1', bot_wxid: BOT } };
		const { output } = await runNodeWithHints(credential, {
			parameters: sendPong,
			items: [item, item],
		});
		expect(output[0].json.task_id).not.toBe(output[1].json.task_id);
		expect(output[0].json).not.toHaveProperty('existing');
	});
});
