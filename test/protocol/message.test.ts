import {
	messageUnitList,
	normaliseMessage,
	parseRequest,
	type NormalisedMessage,
} from '../../nodes/WeHub/protocol';
import { ALICE_WXID, BOT_WXID, ROOM_WXID, readFixture } from './fixtures';

function normaliseFixture(name: string): NormalisedMessage {
	const result = parseRequest(readFixture('requests', `report_new_msg.${name}.json`));
	if (!result.ok || !result.request.known || result.request.action !== 'report_new_msg') {
		throw new Error(`fixture ${name} did not parse as report_new_msg`);
	}
	return normaliseMessage(result.request.units[0], BOT_WXID);
}

const roomFromAlice = { chat: 'room', room_wxid: ROOM_WXID, from_wxid: ALICE_WXID, is_self: false };
const privateFromAlice = {
	chat: 'private',
	room_wxid: null,
	from_wxid: ALICE_WXID,
	is_self: false,
};

describe('normaliseMessage on every message fixture', () => {
	it.each<[string, Record<string, unknown>]>([
		[
			'text.private',
			{
				...privateFromAlice,
				kind: 'text',
				msg_type: 1,
				to_wxid: BOT_WXID,
				text: '你好，请问 n8n 怎么接入 WeHub？',
				mentions: [],
				msg_id: '8123456789012345678',
				timestamp: 1700000123456,
				xml: null,
				details: {},
			},
		],
		[
			'text.room.mentions',
			{
				...roomFromAlice,
				kind: 'text',
				mentions: [BOT_WXID, 'fangqing_hust'],
				mentions_are_wxids: true,
				text: '@小助手\u2005@方青\u2005明天下午三点开会',
			},
		],
		[
			'text.room.legacy_0.1.3',
			{
				...roomFromAlice,
				kind: 'text',
				mentions: ['BN', 'CN'],
				mentions_are_wxids: false,
				msg_id: null,
				timestamp: null,
			},
		],
		[
			'text.self',
			{
				kind: 'text',
				is_self: true,
				from_wxid: BOT_WXID,
				to_wxid: ALICE_WXID,
				text: '[微笑] 已收到',
			},
		],
		[
			'image.room',
			{
				...roomFromAlice,
				kind: 'image',
				text: '[Image]',
				file_index: expect.stringMatching(/^3053/),
				details: { size: null, hd_size: null, md5: null },
			},
		],
		[
			'image.room.img_xml',
			{
				...roomFromAlice,
				kind: 'image',
				details: { size: 90123, hd_size: 523456, md5: 'e4c1a0d9f3b2c8e7a6b5c4d3e2f1a0b9' },
				xml: { msg: { img: expect.objectContaining({ length: '90123', cdnthumbwidth: '90' }) } },
			},
		],
		[
			'text.wecom_room',
			{
				kind: 'text',
				chat: 'room',
				room_wxid: '10696052955016166@im.chatroom',
				from_wxid: 'wangwei@openim',
				wecom: true,
			},
		],
		[
			'text.wecom_private',
			{ chat: 'private', room_wxid: null, from_wxid: 'wangwei@openim', wecom: true },
		],
		['text.private', { wecom: false }],
		[
			'system.revoke',
			{
				kind: 'system',
				chat: 'room',
				text: '"爱丽丝" 撤回了一条消息',
				details: {
					classification: 'message_revoked',
					revoked_by: '爱丽丝',
					revoked_by_self: false,
					revoked_msg_id: '7318826105471292381',
				},
				xml: {
					sysmsg: {
						type: 'revokemsg',
						revokemsg: expect.objectContaining({
							msgid: '1057020520',
							newmsgid: '7318826105471292381',
						}),
					},
				},
			},
		],
		[
			'system.revoke_by_bot',
			{
				chat: 'private',
				xml: null,
				details: {
					classification: 'message_revoked',
					revoked_by: null,
					revoked_by_self: true,
					revoked_msg_id: null,
				},
			},
		],
		[
			'voice.room.sender_prefix',
			{
				...roomFromAlice,
				kind: 'voice',
				text: '[Voice 3s]',
				file_index: 'c3d2a1f0voice',
				details: { duration_ms: 3160, bytes: 5236 },
			},
		],
		[
			'card.private',
			{
				...privateFromAlice,
				kind: 'card',
				text: '[Card] 方青',
				details: {
					wxid: 'fangqing_hust',
					nickname: '方青',
					alias: 'fq_hust',
					sex: 1,
					province: '湖北',
					city: '武汉',
					contact_type: 'person',
				},
			},
		],
		[
			'card.room.official_account',
			{
				kind: 'card',
				details: expect.objectContaining({
					wxid: 'gh_3dfda90e39d6',
					contact_type: 'official_account',
					alias: null,
					sex: 0,
				}),
			},
		],
		[
			'video.room',
			{
				...roomFromAlice,
				kind: 'video',
				text: '[Video 12s]',
				details: { seconds: 12, bytes: 1351338 },
			},
		],
		[
			'emoji.room',
			{
				kind: 'emoji',
				text: '[Emoji]',
				details: {
					url: 'http://emoji.qpic.cn/wx_emoji/abcdef/',
					md5: '1f3870be274f6c49b3e31a0c6728957f',
					size: 24576,
				},
			},
		],
		[
			'link.private.cdata',
			{
				kind: 'link',
				text: '[Link] 用 n8n 搭建微信机器人',
				details: {
					title: '用 n8n 搭建微信机器人',
					desc: '十分钟上手 & 常见问题',
					url: 'https://mp.weixin.qq.com/s/Xyz12345',
					thumb: 'https://mmbiz.qpic.cn/mmbiz_jpg/abc/0',
					sub_type: 5,
					is_room_invitation: false,
				},
			},
		],
		[
			'link.legacy_0.1.5',
			{
				kind: 'link',
				xml: null,
				details: {
					title: 'Weekly report',
					desc: 'Week 47',
					url: 'http://example.com/article/42',
					thumb: 'http://example.com/thumb.jpg',
					sub_type: null,
					is_room_invitation: false,
				},
			},
		],
		[
			'link.room_invitation',
			{
				kind: 'link',
				details: expect.objectContaining({ is_room_invitation: true, title: '邀请你加入群聊' }),
			},
		],
		[
			'mini_program.room',
			{
				...roomFromAlice,
				kind: 'mini_program',
				text: '[Mini program] 京东购物 | 正品低价',
				file_index: 'mp_thumb_0001',
				details: {
					title: '京东购物 | 正品低价',
					appid: 'wx91d27dbf599dff74',
					username: 'gh_45b306365c3d@app',
					page_path: 'pages/item/detail/detail.html?sku=100012043978',
					source: '京东购物',
				},
			},
		],
		[
			'transfer.received_pending',
			{
				kind: 'transfer',
				text: '[Transfer] ￥0.10',
				details: {
					amount: '￥0.10',
					transfer_id: '1000050001202311290110000000000',
					transaction_id: '100005010123112900061000000000000000',
					paysubtype: 'sent',
					memo: '奶茶钱',
					acceptable_by_bot: true,
				},
			},
		],
		[
			'transfer.confirmed_by_bot',
			{
				kind: 'transfer',
				is_self: true,
				details: expect.objectContaining({ paysubtype: 'received', acceptable_by_bot: false }),
			},
		],
		[
			'file.room',
			{
				kind: 'file',
				text: '[File] 2023年度报告.pdf',
				details: {
					name: '2023年度报告.pdf',
					extension: 'pdf',
					size: 1048576,
					md5: '5d41402abc4b2a76b9719d911017c592',
				},
			},
		],
		[
			'system.member_invited',
			{
				kind: 'system',
				chat: 'room',
				xml: null,
				text: '"爱丽丝"邀请"方青、新朋友"加入了群聊',
				details: {
					classification: 'member_joined',
					inviter: '爱丽丝',
					inviter_is_self: false,
					invitees: ['方青', '新朋友'],
					invitee_is_self: false,
					by_qr_code: false,
				},
			},
		],
		[
			'system.bot_invited',
			{
				details: expect.objectContaining({
					classification: 'member_joined',
					inviter: null,
					inviter_is_self: true,
					invitees: ['方青'],
				}),
			},
		],
		[
			'system.qr_code_joined',
			{
				details: expect.objectContaining({
					classification: 'member_joined',
					inviter: '爱丽丝',
					invitees: ['新朋友'],
					by_qr_code: true,
				}),
			},
		],
		[
			'system.room_renamed',
			{
				details: {
					classification: 'room_renamed',
					new_name: '周末徒步群',
					renamed_by: '爱丽丝',
					renamed_by_self: false,
				},
			},
		],
		[
			'system.room_renamed_by_bot',
			{
				details: {
					classification: 'room_renamed',
					new_name: '新的群名称123ABCabc',
					renamed_by: null,
					renamed_by_self: true,
				},
			},
		],
		[
			'system.owner_changed',
			{
				details: { classification: 'owner_changed', new_owner: '老情人', new_owner_is_self: false },
			},
		],
		[
			'system.bot_became_owner',
			{ details: { classification: 'owner_changed', new_owner: null, new_owner_is_self: true } },
		],
		[
			'system.message_rejected',
			{ chat: 'private', details: { classification: 'message_rejected' } },
		],
		['system.red_packet', { details: { classification: 'red_packet' } }],
		[
			'system.announcement',
			{ details: { classification: 'announcement', content: '本周六早上八点在地铁站集合' } },
		],
		['system.other', { details: { classification: 'other' } }],
		[
			'system.sysmsg_template',
			{
				text: '"爱丽丝"邀请"方青、新朋友"加入了群聊',
				xml: { sysmsg: expect.objectContaining({ type: 'sysmsgtemplate' }) },
				details: expect.objectContaining({
					classification: 'member_joined',
					inviter: '爱丽丝',
					invitees: ['方青', '新朋友'],
					inviter_wxid: ALICE_WXID,
					invitee_wxids: ['fangqing_hust', 'wxid_newfan88x'],
				}),
			},
		],
		[
			'unknown_type',
			{
				kind: 'unknown',
				msg_type: 9999,
				text: '[Message type 9999]',
				details: {},
				xml: { msg: { newthing: '' } },
			},
		],
	])('%s', (name, expected) => {
		const message = normaliseFixture(name);
		expect(message).toMatchObject(expected);
	});

	it('keeps the raw unit by reference and the parsed XML with its root', () => {
		const result = parseRequest(readFixture('requests', 'report_new_msg.video.room.json'));
		if (!result.ok || !result.request.known || result.request.action !== 'report_new_msg')
			throw new Error();
		const unit = result.request.units[0];
		const message = normaliseMessage(unit, BOT_WXID);
		expect(message.raw).toBe(unit);
		expect(message.xml).toMatchObject({
			msg: { videomsg: { playlength: '12', length: '1351338' } },
		});
	});
});

describe('normaliseMessage edge cases', () => {
	it('falls back to the sender prefix of raw_msg when no sender field is present', () => {
		const message = normaliseMessage(
			{
				msg_type: 34,
				room_wxid: ROOM_WXID,
				raw_msg: `${ALICE_WXID}:\n<msg><voicemsg voicelength="900" length="10"/></msg>`,
			},
			BOT_WXID,
		);
		expect(message).toMatchObject({ from_wxid: ALICE_WXID, text: '[Voice 1s]' });
	});

	it('infers a WeCom room chat from wxid_to or wxid_from, as it does a WeChat room', () => {
		for (const unit of [
			{ msg_type: 1, msg: 'hi', wxid_from: 'wangwei@openim', wxid_to: '1069605@im.chatroom' },
			{ msg_type: 10000, raw_msg: '"王伟"修改群名为“合作”', wxid_from: '1069605@im.chatroom' },
		]) {
			expect(normaliseMessage(unit, BOT_WXID)).toMatchObject({
				chat: 'room',
				room_wxid: '1069605@im.chatroom',
				wecom: true,
			});
		}
		// A suffix alone is not a room: "@im.chatroom" with nothing before it is no id.
		expect(
			normaliseMessage({ msg_type: 1, msg: 'hi', wxid_to: '@im.chatroom' }, BOT_WXID).chat,
		).toBe('private');
	});

	it('reads a sysmsg after a sender prefix, and keeps a broken one as text', () => {
		const prefixed = normaliseMessage(
			{
				msg_type: 10000,
				room_wxid: ROOM_WXID,
				raw_msg: `${ROOM_WXID}:\n<sysmsg type="revokemsg"><revokemsg><newmsgid>42</newmsgid></revokemsg></sysmsg>`,
			},
			BOT_WXID,
		);
		expect(prefixed).toMatchObject({
			details: { classification: 'message_revoked', revoked_msg_id: '42' },
			xml: { sysmsg: { revokemsg: { newmsgid: '42' } } },
		});
		const broken = normaliseMessage(
			{ msg_type: 10000, room_wxid: ROOM_WXID, raw_msg: '<sysmsg type="x"><a>' },
			BOT_WXID,
		);
		expect(broken).toMatchObject({ xml: null, details: { classification: 'other' } });
	});

	it('infers a room chat from wxid_to and scales a seconds timestamp to milliseconds', () => {
		const message = normaliseMessage(
			{ msg_type: 3, wxid_from: ALICE_WXID, wxid_to: ROOM_WXID, msg_timestamp: 1700000123 },
			BOT_WXID,
		);
		expect(message).toMatchObject({ chat: 'room', room_wxid: ROOM_WXID, timestamp: 1700000123000 });
	});

	it('survives missing or broken XML with null details', () => {
		const message = normaliseMessage(
			{ msg_type: 43, wxid_from: ALICE_WXID, raw_msg: '<msg><videomsg length="1"' },
			BOT_WXID,
		);
		expect(message).toMatchObject({
			kind: 'video',
			xml: null,
			text: '[Video]',
			details: { seconds: null, bytes: null },
		});
		const transfer = normaliseMessage({ msg_type: 4902, wxid_from: ALICE_WXID }, BOT_WXID);
		expect(transfer.details).toEqual({
			amount: null,
			transfer_id: null,
			transaction_id: null,
			paysubtype: null,
			memo: null,
			acceptable_by_bot: false,
		});
		const card = normaliseMessage(
			{ msg_type: 42, raw_msg: '<msg username="v1_abc@stranger"/>' },
			BOT_WXID,
		);
		expect(card).toMatchObject({
			text: '[Card] v1_abc@stranger',
			details: { contact_type: 'stranger' },
		});
	});
});

describe('messageUnitList', () => {
	const unit = { msg_type: 1, msg: 'hi' };
	it.each([
		['msg', { msg: unit }, { field: 'msg', entries: [unit] }],
		[
			'msg_list',
			{ msg_list: [unit, 'junk', unit] },
			{ field: 'msg_list', entries: [unit, 'junk', unit] },
		],
		['msg as an array', { msg: [unit] }, { field: 'msg', entries: [unit] }],
		['the unit in data', unit, { field: 'data', entries: [unit] }],
		['nothing', { msg: 'hello' }, undefined],
		['not an object', 'hello', undefined],
	])('reads %s', (_label, data, expected) => {
		expect(messageUnitList(data)).toEqual(expected);
	});

	it('hands report_new_msg its units, the malformed one skipped and reported', () => {
		const parsed = parseRequest(
			JSON.stringify({
				action: 'report_new_msg',
				appid: 'a',
				wxid: 'wxid_bot',
				data: { msg_list: [unit, 'junk', unit] },
			}),
		);
		if (!parsed.ok || !parsed.request.known || parsed.request.action !== 'report_new_msg') {
			throw new Error('did not parse as report_new_msg');
		}
		expect(parsed.request.units).toEqual([unit, unit]);
		expect(parsed.request.skipped).toEqual([
			expect.objectContaining({ list: 'msg_list', index: 1 }),
		]);
	});
});
