import { NodeOperationError } from 'n8n-workflow';

import { closeAllTaskStores } from '../../../nodes/WeHub/store/openTaskStore';
import { embeddedCredential, runNode, storeFor, tempStoreFolder } from './harness';

const BOT = 'wxid_bot_shop01';
const ROOM = '17950482733@chatroom';

const folder = tempStoreFolder();
afterAll(async () => {
	await closeAllTaskStores();
	folder.remove();
});

let apps = 0;
const newCredential = () => embeddedCredential(`app-router-${++apps}`, folder.path);

/** Three quit requests; the middle one has a person where a room belongs. */
const quitItems = {
	items: [
		{ json: { room: ROOM } },
		{ json: { room: 'wxid_k2m9x7lq4a12' } },
		{ json: { room: '20181115216@chatroom' } },
	],
	parameters: (itemIndex: number) => ({
		resource: 'room',
		operation: 'quit',
		botWxid: BOT,
		roomWxid: [ROOM, 'wxid_k2m9x7lq4a12', '20181115216@chatroom'][itemIndex],
	}),
};

describe('router', () => {
	it('stops at a bad item with an error naming the field and the item', async () => {
		const error = await runNode(newCredential(), quitItems).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toBe(
			'Room ID: "wxid_k2m9x7lq4a12" is not a room ID (rooms end in @chatroom, WeCom rooms in @im.chatroom)',
		);
		expect((error as NodeOperationError).description).toBe('Fix the "Room ID" parameter');
		expect((error as NodeOperationError).context.itemIndex).toBe(1);
	});

	it('with Continue On Fail, outputs an error item paired with its input and goes on', async () => {
		const credential = newCredential();
		const output = await runNode(credential, { ...quitItems, continueOnFail: true });

		expect(output.map((entry) => entry.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(output[0].json).toMatchObject({ state: 'queued', position: 1 });
		expect(output[1].json).toEqual({
			room: 'wxid_k2m9x7lq4a12',
			error:
				'Room ID: "wxid_k2m9x7lq4a12" is not a room ID (rooms end in @chatroom, WeCom rooms in @im.chatroom)',
		});
		expect(output[2].json).toMatchObject({ state: 'queued', position: 2 });

		const store = await storeFor(credential);
		expect(await store.list({ appid: credential.appId, wxid: BOT }, 'queued')).toHaveLength(2);
	});

	it('refuses an empty Bot WeChat ID with the fix', async () => {
		await expect(
			runNode(newCredential(), {
				parameters: { resource: 'room', operation: 'quit', botWxid: '', roomWxid: ROOM },
			}),
		).rejects.toThrow('Bot WeChat ID is empty');
	});
});

describe('Contact › Accept Friend Request by requester', () => {
	const requester = 'wxid_7lq4a12k2m9x';

	it('uses the v1/v2 the trigger stored for the requester', async () => {
		const credential = newCredential();
		const store = await storeFor(credential);
		await store.rememberFriendRequest({
			appid: credential.appId,
			bot_wxid: BOT,
			requester_wxid: requester,
			v1: 'v1_3f2a9c1e7b5d@stranger',
			v2: 'v2_8e6d4c2a0f1b@stranger',
			notice_word: '我是张三，想买你们的茶叶',
			nickname: '张三',
			received_at: Date.now(),
		});
		const [output] = await runNode(credential, {
			parameters: {
				resource: 'contact',
				operation: 'acceptFriendRequest',
				botWxid: BOT,
				identifyBy: 'requester',
				requesterWxid: requester,
			},
		});
		expect(output.json.task).toEqual({
			task_type: 13,
			task_dict: { v1: 'v1_3f2a9c1e7b5d@stranger', v2: 'v2_8e6d4c2a0f1b@stranger' },
		});
	});

	it('explains a missing friend request', async () => {
		await expect(
			runNode(newCredential(), {
				parameters: {
					resource: 'contact',
					operation: 'acceptFriendRequest',
					botWxid: BOT,
					identifyBy: 'requester',
					requesterWxid: requester,
				},
			}),
		).rejects.toThrow(
			`Requester WeChat ID "${requester}": no friend request from this person is stored for bot ${BOT}`,
		);
	});
});
