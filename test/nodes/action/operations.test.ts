import type { IDataObject } from 'n8n-workflow';

import type { WeHubTask } from '../../../nodes/WeHub/protocol/types';
import { closeAllTaskStores } from '../../../nodes/WeHub/store/openTaskStore';
import { embeddedCredential, runNode, runNodeRefused, storeFor, tempStoreFolder } from './harness';

const BOT = 'wxid_bot_shop01';
const ROOM = '17950482733@chatroom';
const OTHER_ROOM = '20181115216@chatroom';
const ALICE = 'wxid_k2m9x7lq4a12';
const BOB = 'fangqing_hust';

const folder = tempStoreFolder();
afterAll(async () => {
	await closeAllTaskStores();
	folder.remove();
});

let apps = 0;
const newCredential = () => embeddedCredential(`app-ops-${++apps}`, folder.path);

/** [resource, operation, parameters (besides the bot), the exact task PROTOCOL.md specifies] */
const cases: Array<[string, string, IDataObject, WeHubTask]> = [
	[
		'message',
		'send',
		{ sendTo: 'wxid', toWxid: ROOM, messages: { unit: [{ type: 'text', text: '大家好 [微笑]' }] } },
		// No login recorded for the bot: its version is unknown, so both shapes are filled.
		{
			task_type: 1,
			task_dict: {
				msg_list: [{ msg_type: 1, msg: '大家好 [微笑]' }],
				room_wxid: ROOM,
				wxid: '',
				wxid_to: ROOM,
				at_list: [],
			},
		},
	],
	[
		'room',
		'removeMember',
		{ roomWxid: ROOM, wxid: ALICE },
		{ task_type: 2, task_dict: { room_wxid: ROOM, wxid: ALICE } },
	],
	[
		'room',
		'removeMember',
		// A Room ID left from before the choice is not sent.
		{ removeFrom: 'everyOwnedRoom', roomWxid: ROOM, wxid: ALICE },
		{ task_type: 2, task_dict: { room_wxid: '', wxid: ALICE } },
	],
	[
		'room',
		'inviteMember',
		{ roomWxid: ROOM, wxid: BOB, addDirectly: false },
		{ task_type: 3, task_dict: { room_wxid: ROOM, wxid: BOB } },
	],
	[
		'room',
		'inviteMember',
		{ roomWxid: ROOM, wxid: BOB, addDirectly: true },
		{ task_type: 3, task_dict: { room_wxid: ROOM, wxid: BOB, flag: 1 } },
	],
	[
		'room',
		'getMembers',
		{ roomWxids: `${ROOM}, ${OTHER_ROOM}` },
		{ task_type: 4, task_dict: { room_wxid_list: [ROOM, OTHER_ROOM] } },
	],
	[
		'room',
		'addMemberAsFriend',
		{ roomWxid: ROOM, wxid: ALICE, greeting: '你好，我是群助手' },
		{ task_type: 5, task_dict: { room_wxid: ROOM, wxid: ALICE, msg: '你好，我是群助手' } },
	],
	[
		'contact',
		'setRemark',
		{ wxid: ALICE, remark: 'Alice (customer)' },
		{ task_type: 6, task_dict: { wxid: ALICE, remark_name: 'Alice (customer)' } },
	],
	[
		'room',
		'setMyNickname',
		{ roomWxid: ROOM, nickname: '小助手' },
		{ task_type: 7, task_dict: { room_wxid: ROOM, room_nickname: '小助手' } },
	],
	['room', 'quit', { roomWxid: ROOM }, { task_type: 8, task_dict: { room_wxid: ROOM } }],
	[
		'file',
		'requestUpload',
		{ fileIndex: 'a9f0c3e1b2d44c5e8f7a6b5c4d3e2f10' },
		{ task_type: 9, task_dict: { file_index: 'a9f0c3e1b2d44c5e8f7a6b5c4d3e2f10' } },
	],
	[
		'room',
		'postAnnouncement',
		{ roomWxid: ROOM, announcement: '本周五下午三点开会' },
		{ task_type: 10, task_dict: { room_wxid: ROOM, msg: '本周五下午三点开会' } },
	],
	[
		'transfer',
		'accept',
		{ senderWxid: ALICE, transferId: '1000050001201811150216372340123' },
		{
			task_type: 11,
			task_dict: { wxid_from: ALICE, transferid: '1000050001201811150216372340123' },
		},
	],
	['contact', 'delete', { wxid: BOB }, { task_type: 12, task_dict: { wxid_delete: BOB } }],
	[
		'contact',
		'acceptFriendRequest',
		{
			identifyBy: 'tickets',
			v1: 'v1_7e3f9a2b5c8d1e4f@stranger',
			v2: 'v2_0b9b3ac4d2e1f6a7@stranger',
		},
		{
			task_type: 13,
			task_dict: { v1: 'v1_7e3f9a2b5c8d1e4f@stranger', v2: 'v2_0b9b3ac4d2e1f6a7@stranger' },
		},
	],
	[
		'contact',
		'reReport',
		{ contactKinds: ['friends', 'officialAccounts'] },
		{ task_type: 14, task_dict: { flag_report_contact: 5 } },
	],
	['contact', 'checkZombie', { wxid: ALICE }, { task_type: 15, task_dict: { wxid: ALICE } }],
	['contact', 'getInfo', { wxid: BOB }, { task_type: 16, task_dict: { wxid: BOB } }],
	[
		'room',
		'create',
		{ memberWxids: `${ALICE}\n${BOB}` },
		{ task_type: 17, task_dict: { member_list: [ALICE, BOB] } },
	],
	[
		'room',
		'rename',
		{ roomWxid: ROOM, roomName: '2026 项目群' },
		{ task_type: 18, task_dict: { room_wxid: ROOM, room_name: '2026 项目群' } },
	],
	[
		'room',
		'acceptInvitation',
		{
			inviteUrl:
				'https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=A8kT3x%2Bq',
		},
		{
			task_type: 19,
			task_dict: {
				invite_url:
					'https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=A8kT3x%2Bq',
			},
		},
	],
	[
		'tag',
		'addContacts',
		{ tagName: 'VIP 客户', wxids: `${ALICE}, ${ROOM}` },
		{ task_type: 100, task_dict: { tag_name: 'VIP 客户', wxid_list: [ALICE, ROOM], op_code: 1 } },
	],
	[
		'tag',
		'removeContacts',
		{ tagName: 'VIP 客户', wxids: BOB },
		{ task_type: 100, task_dict: { tag_name: 'VIP 客户', wxid_list: [BOB], op_code: 2 } },
	],
	[
		'tag',
		'delete',
		{ tagName: 'VIP 客户' },
		{ task_type: 100, task_dict: { tag_name: 'VIP 客户', wxid_list: [], op_code: 3 } },
	],
	[
		'tag',
		'rename',
		{ tagName: 'VIP 客户', newTagName: '大客户' },
		{ task_type: 101, task_dict: { old_tag_name: 'VIP 客户', new_tag_name: '大客户' } },
	],
];

describe('tasks a bot’s WeHub client predates', () => {
	it.each([
		[
			'room',
			'create',
			{ memberWxids: `${ALICE}, ${BOB}` },
			/Creating rooms \(task 17\) came with WeHub 0\.2\.0/,
		],
		['contact', 'reReport', { contactKinds: ['friends'] }, /task 14/],
		[
			'room',
			'inviteMember',
			{ roomWxid: ROOM, wxid: ALICE, addDirectly: true },
			/^Add Directly: the bot runs WeHub 0\.1\.5/,
		],
		[
			'tag',
			'addContacts',
			{ tagName: 'VIP', wxids: ALICE },
			/Tags \(task 100\) came with WeHub 0\.4\.2/,
		],
	])(
		'%s › %s is refused for a bot that logged in with WeHub 0.1.5, and nothing is queued',
		async (resource, operation, parameters, message) => {
			const credential = newCredential();
			const store = await storeFor(credential);
			const bot = { appid: credential.appId, wxid: BOT };
			await store.recordLogin(bot, { client_version: '0.1.5' });

			const error = await runNodeRefused(credential, {
				parameters: { resource, operation, botWxid: BOT, ...parameters },
			});

			expect(error.message).toMatch(/the bot runs WeHub 0\.1\.5, which cannot do this/i);
			expect(error.message).toMatch(message);
			expect(error.description).toMatch(/Update the bot’s WeHub client/);
			expect(await store.list(bot)).toEqual([]);
		},
	);
});

describe('Room › Remove Member', () => {
	it.each([
		['an empty Room ID', { roomWxid: '' }],
		['a Room ID of spaces', { roomWxid: '   ' }],
		['an expression that resolved to nothing', { roomWxid: undefined }],
		['an empty Room ID with Remove From "One Room"', { removeFrom: 'room', roomWxid: '' }],
	])(
		'refuses %s instead of removing the member from every room, and queues nothing',
		async (_case, parameters) => {
			const credential = newCredential();
			const error = await runNodeRefused(credential, {
				parameters: {
					resource: 'room',
					operation: 'removeMember',
					botWxid: BOT,
					wxid: ALICE,
					...parameters,
				},
			});

			expect(error.message).toBe('Room ID is empty');
			expect(error.description).toMatch(/or choose Remove From "Every Room the Bot Owns"/);
			const store = await storeFor(credential);
			expect(await store.list({ appid: credential.appId, wxid: BOT })).toEqual([]);
		},
	);
});

describe('every task-queuing operation', () => {
	it.each(cases)(
		'%s › %s queues the task PROTOCOL.md specifies (case %#)',
		async (resource, operation, parameters, expectedTask) => {
			const credential = newCredential();
			const [output] = await runNode(credential, {
				parameters: { resource, operation, botWxid: BOT, ...parameters },
			});

			expect(output.json.task).toEqual(expectedTask);
			expect(output.json).toMatchObject({
				appid: credential.appId,
				bot_wxid: BOT,
				state: 'queued',
				position: 1,
				task_type: expectedTask.task_type,
				finished: false,
				meta: { workflow_id: 'workflow-7', execution_id: 'execution-42', node: 'WeHub' },
			});
			// Items carry data; guidance goes to n8n's execution hints.
			for (const prose of ['notice', 'warning', 'result_delivery', 'message_shape']) {
				expect(output.json).not.toHaveProperty(prose);
			}
			expect(output.pairedItem).toEqual({ item: 0 });

			const store = await storeFor(credential);
			const queued = await store.list({ appid: credential.appId, wxid: BOT }, 'queued');
			expect(queued.map((record) => [record.task_id, record.task])).toEqual([
				[output.json.task_id, expectedTask],
			]);
		},
	);

	it.each([
		['room', 'getMembers', { roomWxids: ROOM }, 'room_members'],
		['contact', 'checkZombie', { wxid: 'wxid_k2m9x7lq4a12' }, 'zombie_check'],
		['contact', 'getInfo', { wxid: 'wxid_k2m9x7lq4a12' }, 'user_info'],
		['contact', 'reReport', { contactKinds: ['friends'] }, 'contacts'],
		['file', 'requestUpload', { fileIndex: 'C:\\WeHub\\file\\img_9f2c.jpg' }, 'file_uploaded'],
	])(
		'%s › %s names the WeHub Trigger event its result arrives as',
		async (resource, operation, parameters, event) => {
			const [output] = await runNode(newCredential(), {
				parameters: { resource, operation, botWxid: BOT, ...parameters },
			});
			expect(output.json.result_event).toBe(event);
		},
	);

	it('marks a requested file in the store so its upload can be matched', async () => {
		const credential = newCredential();
		await runNode(credential, {
			parameters: {
				resource: 'file',
				operation: 'requestUpload',
				botWxid: BOT,
				fileIndex: 'c0ffee00c0ffee00c0ffee00c0ffee00',
			},
		});
		const store = await storeFor(credential);
		expect(await store.getFile(credential.appId, 'c0ffee00c0ffee00c0ffee00c0ffee00')).toMatchObject(
			{ state: 'requested', bot_wxid: BOT },
		);
	});
});

describe('a refused File › Request Upload', () => {
	const FILE_INDEX = 'C:\\WeHub\\cache\\img_20260301_0915.jpg';

	it.each<{ refusal: string; parameters: IDataObject; reason: RegExp; allowedBots?: string }>([
		{
			refusal: 'a Not Before that is not a date',
			parameters: { options: { notBefore: 'after lunch' } },
			reason: /Not Before "after lunch" is not a date/,
		},
		{
			refusal: 'a bot outside Allowed Bots',
			parameters: {},
			reason: /is not in the credential's Allowed Bots/,
			allowedBots: 'wxid_bot_other',
		},
		{
			refusal: 'an empty File Index',
			parameters: { fileIndex: '' },
			reason: /File Index/,
		},
	])('refused for $refusal leaves the file as reported', async (refused) => {
		const credential = { ...newCredential(), allowedBots: refused.allowedBots ?? '' };
		const store = await storeFor(credential);
		const reported = {
			appid: credential.appId,
			bot_wxid: BOT,
			file_index: FILE_INDEX,
			state: 'reported' as const,
			msg_type: 3,
			reported_at: Date.now(),
		};
		await store.rememberFile(reported);

		await expect(
			runNode(credential, {
				parameters: {
					resource: 'file',
					operation: 'requestUpload',
					botWxid: BOT,
					fileIndex: FILE_INDEX,
					...refused.parameters,
				},
			}),
		).rejects.toThrow(refused.reason);
		expect(await store.getFile(credential.appId, FILE_INDEX)).toEqual(reported);
		expect(await store.list({ appid: credential.appId, wxid: BOT })).toEqual([]);
	});
});

describe('queue options', () => {
	it('sets expiry and not-before on the record and keeps the task queued', async () => {
		const credential = newCredential();
		const before = Date.now();
		const [output] = await runNode(credential, {
			parameters: {
				resource: 'room',
				operation: 'quit',
				botWxid: BOT,
				roomWxid: ROOM,
				options: { expireAfterSeconds: 600, notBefore: '2099-01-01T09:00:00Z' },
			},
		});
		expect(output.json.not_before).toBe(Date.parse('2099-01-01T09:00:00Z'));
		expect(output.json.expires_at).toBeGreaterThanOrEqual(before + 600_000);
		expect(output.json.expires_at).toBeLessThanOrEqual(Date.now() + 600_000);
	});

	it('reports a bad Not Before by its option name', async () => {
		await expect(
			runNode(newCredential(), {
				parameters: {
					resource: 'room',
					operation: 'quit',
					botWxid: BOT,
					roomWxid: ROOM,
					options: { notBefore: 'next tuesday-ish' },
				},
			}),
		).rejects.toThrow(/Not Before "next tuesday-ish" is not a date/);
	});

	it('counts the position in the bot’s queue', async () => {
		const credential = newCredential();
		const outputs = await runNode(credential, {
			items: [{ json: {} }, { json: {} }, { json: {} }],
			parameters: (itemIndex) => ({
				resource: 'contact',
				operation: 'checkZombie',
				botWxid: BOT,
				wxid: `wxid_friend${itemIndex}`,
			}),
		});
		expect(outputs.map((output) => output.json.position)).toEqual([1, 2, 3]);
		expect(outputs.map((output) => output.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
	});
});
