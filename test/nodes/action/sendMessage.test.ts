import type { IDataObject } from 'n8n-workflow';

import { closeAllTaskStores } from '../../../nodes/WeHub/store/openTaskStore';
import { embeddedCredential, runNode, storeFor, tempStoreFolder } from './harness';

const BOT = 'wxid_bot_shop01';
const ROOM = '17950482733@chatroom';
const ALICE = 'wxid_k2m9x7lq4a12';
const BOB = 'fangqing_hust';

/** A mini program as WeHub reports it in a room: sender prefix, then the appmsg XML. */
const MINI_PROGRAM_RAW_MSG = `${ALICE}:
<?xml version="1.0"?>
<msg><appmsg appid="" sdkver="0"><title>美团外卖</title><type>33</type><sourcedisplayname>美团外卖</sourcedisplayname><weappinfo><username><![CDATA[gh_72a4eb2d4324@app]]></username><appid><![CDATA[wx2c348cf579062e56]]></appid><pagepath><![CDATA[pages/index/index.html]]></pagepath></weappinfo></appmsg></msg>`;

const folder = tempStoreFolder();
afterAll(async () => {
	await closeAllTaskStores();
	folder.remove();
});

let apps = 0;
/** A fresh appid whose bot logged in with `clientVersion` (none = never seen). */
async function credentialWithBot(clientVersion?: string, extra: IDataObject = {}) {
	const credential = embeddedCredential(`app-send-${++apps}`, folder.path, extra);
	if (clientVersion) {
		const store = await storeFor(credential);
		await store.recordLogin(
			{ appid: credential.appId, wxid: BOT },
			{ nickname: '小店助手', client_version: clientVersion },
		);
	}
	return credential;
}

const text = (value: string) => ({ type: 'text', text: value });

async function send(credential: IDataObject, parameters: IDataObject, json: IDataObject = {}) {
	const [output] = await runNode(credential, {
		items: [{ json }],
		parameters: {
			resource: 'message',
			operation: 'send',
			botWxid: BOT,
			sendTo: 'wxid',
			...parameters,
		},
	});
	return output.json;
}

describe('Message › Send: the task follows the bot’s client version', () => {
	it.each([
		[
			'0.1.5, room with one mention',
			'0.1.5',
			{ toWxid: ROOM, mentions: ALICE },
			{ room_wxid: ROOM, wxid: ALICE },
		],
		['0.1.5, private', '0.1.5', { toWxid: BOB }, { room_wxid: '', wxid: BOB }],
		[
			'0.2.0, room with two mentions',
			'0.2.0',
			{ toWxid: ROOM, mentions: `${ALICE}, ${BOB}` },
			{ wxid_to: ROOM, at_list: [ALICE, BOB] },
		],
		['0.4.26, private', '0.4.26', { toWxid: BOB }, { wxid_to: BOB, at_list: [] }],
		[
			'0.4.26, mentions at {$@} placeholders',
			'0.4.26',
			{ toWxid: ROOM, mentions: ALICE, options: { mentionPlaceholders: true } },
			{ wxid_to: ROOM, at_list: [ALICE], at_style: 1 },
		],
		[
			'unknown version: both shapes',
			undefined,
			{ toWxid: ROOM, mentions: ALICE },
			{ room_wxid: ROOM, wxid: ALICE, wxid_to: ROOM, at_list: [ALICE] },
		],
	])('%s', async (_name, clientVersion, parameters, expectedFields) => {
		const credential = await credentialWithBot(clientVersion);
		const json = await send(credential, {
			...parameters,
			messages: { unit: [text('今晚八点直播 {$@}')] },
		});
		expect(json.task).toEqual({
			task_type: 1,
			task_dict: { msg_list: [{ msg_type: 1, msg: '今晚八点直播 {$@}' }], ...expectedFields },
		});
		expect(json.client_version).toBe(clientVersion ?? null);
	});

	it('refuses two mentions on a 0.1.x client, naming the field', async () => {
		const credential = await credentialWithBot('0.1.5');
		await expect(
			send(credential, {
				toWxid: ROOM,
				mentions: `${ALICE},${BOB}`,
				messages: { unit: [text('hi')] },
			}),
		).rejects.toThrow('Mention WeChat IDs: WeHub 0.1.x can mention only one person per message');
	});

	it('refuses mentions in a private chat', async () => {
		const credential = await credentialWithBot('0.4.26');
		await expect(
			send(credential, { toWxid: BOB, mentions: ALICE, messages: { unit: [text('hi')] } }),
		).rejects.toThrow(/^Mention WeChat IDs: mentions only work in rooms/);
	});

	it('refuses mention placeholders before 0.4.2', async () => {
		const credential = await credentialWithBot('0.3.8');
		await expect(
			send(credential, {
				toWxid: ROOM,
				mentions: ALICE,
				options: { mentionPlaceholders: true },
				messages: { unit: [text('{$@} hi')] },
			}),
		).rejects.toThrow(
			/Mention Placeholders need WeHub 0.4.2 or later; bot wxid_bot_shop01 runs 0.3.8/,
		);
	});
});

describe('Message › Send: units', () => {
	it('sends every unit type in order, as push units', async () => {
		const credential = await credentialWithBot('0.4.26');
		const json = await send(credential, {
			toWxid: ROOM,
			messages: {
				unit: [
					text('新品上架 [玫瑰]'),
					{ type: 'image', source: 'url', url: 'https://cdn.example.com/p/123.jpg' },
					{
						type: 'link',
						linkUrl: 'https://shop.example.com/item/123',
						linkTitle: '春季新品',
						linkDescription: '限时八折',
						linkImageUrl: 'https://cdn.example.com/p/123-thumb.jpg',
					},
					{ type: 'video', source: 'url', url: 'https://cdn.example.com/v/123.mp4' },
					{ type: 'file', source: 'url', url: 'https://cdn.example.com/f/price-list.pdf' },
					{ type: 'card', cardWxid: BOB },
					{ type: 'gif', source: 'url', url: 'https://cdn.example.com/g/thanks.gif' },
					{ type: 'miniProgram', rawMsg: MINI_PROGRAM_RAW_MSG, coverUrl: '' },
				],
			},
		});
		const msgList = (json.task as { task_dict: { msg_list: IDataObject[] } }).task_dict.msg_list;
		expect(msgList).toEqual([
			{ msg_type: 1, msg: '新品上架 [玫瑰]' },
			{ msg_type: 3, msg: 'https://cdn.example.com/p/123.jpg' },
			{
				msg_type: 49,
				link_url: 'https://shop.example.com/item/123',
				link_title: '春季新品',
				link_desc: '限时八折',
				link_img_url: 'https://cdn.example.com/p/123-thumb.jpg',
			},
			{ msg_type: 43, video_url: 'https://cdn.example.com/v/123.mp4' },
			// Files travel through the video unit: 0.2+ clients send a non-mp4 URL as a file.
			{ msg_type: 43, video_url: 'https://cdn.example.com/f/price-list.pdf' },
			{ msg_type: 42, wxid_card: BOB },
			{ msg_type: 47, msg: 'https://cdn.example.com/g/thanks.gif' },
			{ msg_type: 4901, raw_msg: MINI_PROGRAM_RAW_MSG.slice(ALICE.length + 2).trim() },
		]);
	});

	it('names the message and field of an invalid unit', async () => {
		const credential = await credentialWithBot('0.4.26');
		await expect(
			send(credential, {
				toWxid: ROOM,
				messages: {
					unit: [
						text('看图'),
						{ type: 'image', source: 'url', url: 'ftp://cdn.example.com/a.jpg' },
					],
				},
			}),
		).rejects.toThrow(
			'Messages › Message 2 › URL: "ftp://cdn.example.com/a.jpg" must be an http or https URL',
		);
	});

	it('refuses units a 0.1.x client cannot send', async () => {
		const credential = await credentialWithBot('0.1.5');
		await expect(
			send(credential, {
				toWxid: ROOM,
				messages: { unit: [{ type: 'gif', source: 'url', url: 'https://cdn.example.com/g.gif' }] },
			}),
		).rejects.toThrow(
			'Messages › Message 1: the bot runs WeHub 0.1.5, which cannot do this: GIFs came with WeHub 0.2.0',
		);
	});

	it('needs at least one message', async () => {
		const credential = await credentialWithBot('0.4.26');
		await expect(send(credential, { toWxid: ROOM, messages: {} })).rejects.toThrow(
			'Messages: add at least one message',
		);
	});
});

describe('Message › Send: where it goes', () => {
	it('answers in the same chat as the input item (reply_to)', async () => {
		const credential = await credentialWithBot('0.4.26');
		const json = await send(
			credential,
			{ sendTo: 'sameChat', messages: { unit: [text('收到')] } },
			{
				event: 'message',
				bot_wxid: BOT,
				room_wxid: ROOM,
				from_wxid: ALICE,
				reply_to: ROOM,
				is_self: false,
			},
		);
		expect(json.task).toMatchObject({ task_dict: { wxid_to: ROOM } });
	});

	it('refuses to answer a message the bot sent itself (it would loop)', async () => {
		const credential = await credentialWithBot('0.4.26');
		await expect(
			send(
				credential,
				{ sendTo: 'sameChat', messages: { unit: [text('收到')] } },
				{ event: 'message', bot_wxid: BOT, from_wxid: BOT, reply_to: ALICE, is_self: true },
			),
		).rejects.toThrow(/the input item is a message the bot sent itself/);
	});

	it('refuses Same Chat for an item without reply_to', async () => {
		const credential = await credentialWithBot('0.4.26');
		await expect(
			send(
				credential,
				{ sendTo: 'sameChat', messages: { unit: [text('hi')] } },
				{ event: 'login' },
			),
		).rejects.toThrow('Send To "Same Chat as Input Item": the input item has no reply_to');
	});

	it('refuses a send to the bot itself, naming the field', async () => {
		const credential = await credentialWithBot('0.4.26');
		await expect(
			send(credential, { toWxid: BOT, messages: { unit: [text('hi')] } }),
		).rejects.toThrow('Room or Person ID: "wxid_bot_shop01" is the bot itself');
	});

	it('refuses a bot outside the credential’s allow-list', async () => {
		const credential = await credentialWithBot('0.4.26', {
			allowedBots: 'wxid_bot_other, wxid_bot_b',
		});
		await expect(
			send(credential, { toWxid: ROOM, messages: { unit: [text('hi')] } }),
		).rejects.toThrow('Bot WeChat ID "wxid_bot_shop01" is not in the credential\'s Allowed Bots');
	});

	it('names the target field for an invalid wxid', async () => {
		const credential = await credentialWithBot('0.4.26');
		await expect(
			send(credential, { toWxid: 'Alice Zhang', messages: { unit: [text('hi')] } }),
		).rejects.toThrow('Room or Person ID: "Alice Zhang" is not a WeChat ID (it has spaces)');
	});
});
