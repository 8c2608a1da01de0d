import {
	TASK_TYPE_NAMES,
	TaskValidationError,
	acceptFriendRequestTask,
	acceptRoomInvitationTask,
	acceptTransferTask,
	addRoomMemberAsFriendTask,
	cardUnit,
	checkZombieTask,
	createRoomTask,
	deleteFriendTask,
	getUserInfoTask,
	gifUnit,
	imageUnit,
	inviteRoomMemberTask,
	linkUnit,
	miniProgramUnit,
	postRoomAnnouncementTask,
	quitRoomTask,
	reReportContactsTask,
	removeRoomMemberTask,
	renameRoomTask,
	reportRoomMembersTask,
	sendMessageTask,
	setFriendRemarkTask,
	setRoomNicknameTask,
	textUnit,
	uploadFileTask,
	videoUnit,
	type PushMsgUnit,
} from '../../nodes/WeHub/protocol';
import { readFixture } from './fixtures';

const ROOM = '8680025352@chatroom';
const ALICE = 'wxid_alice6a8kd2';
const BOB = 'fangqing_hust';

function validationError(build: () => unknown): { field: string; message: string } {
	try {
		build();
	} catch (error) {
		if (error instanceof TaskValidationError) return { field: error.field, message: error.message };
		throw error;
	}
	throw new Error('expected a TaskValidationError');
}

function storedMiniProgramRawMsg(): string {
	const body = JSON.parse(
		readFixture('requests', 'report_new_msg.mini_program.room.json').toString(),
	);
	return body.data.msg.raw_msg;
}

describe('task builders produce the exact wire JSON', () => {
	it.each<[string, () => unknown, unknown]>([
		[
			'2 remove member',
			() => removeRoomMemberTask(ROOM, ALICE),
			{ task_type: 2, task_dict: { room_wxid: ROOM, wxid: ALICE } },
		],
		[
			'2 remove member from every room',
			() => removeRoomMemberTask('', ALICE),
			{ task_type: 2, task_dict: { room_wxid: '', wxid: ALICE } },
		],
		[
			'3 invite',
			() => inviteRoomMemberTask(ROOM, BOB),
			{ task_type: 3, task_dict: { room_wxid: ROOM, wxid: BOB } },
		],
		[
			'3 invite directly',
			() => inviteRoomMemberTask(ROOM, BOB, true),
			{ task_type: 3, task_dict: { room_wxid: ROOM, wxid: BOB, flag: 1 } },
		],
		[
			'4 report members',
			() => reportRoomMembersTask([ROOM, ' 123@chatroom', ROOM]),
			{ task_type: 4, task_dict: { room_wxid_list: [ROOM, '123@chatroom'] } },
		],
		[
			'5 add as friend',
			() => addRoomMemberAsFriendTask(ROOM, ALICE, '你好，我是小助手'),
			{ task_type: 5, task_dict: { room_wxid: ROOM, wxid: ALICE, msg: '你好，我是小助手' } },
		],
		[
			'6 remark',
			() => setFriendRemarkTask(ALICE, ' Alice (客户) '),
			{ task_type: 6, task_dict: { wxid: ALICE, remark_name: 'Alice (客户)' } },
		],
		[
			'7 room nickname',
			() => setRoomNicknameTask(ROOM, '小助手'),
			{ task_type: 7, task_dict: { room_wxid: ROOM, room_nickname: '小助手' } },
		],
		['8 quit', () => quitRoomTask(ROOM), { task_type: 8, task_dict: { room_wxid: ROOM } }],
		[
			'9 upload',
			() => uploadFileTask('3053020100044c30'),
			{ task_type: 9, task_dict: { file_index: '3053020100044c30' } },
		],
		[
			'10 announcement',
			() => postRoomAnnouncementTask(ROOM, '周六八点集合'),
			{ task_type: 10, task_dict: { room_wxid: ROOM, msg: '周六八点集合' } },
		],
		[
			'11 accept transfer',
			() => acceptTransferTask(ALICE, '1000050001202311290110000000000'),
			{
				task_type: 11,
				task_dict: { wxid_from: ALICE, transferid: '1000050001202311290110000000000' },
			},
		],
		[
			'12 delete friend',
			() => deleteFriendTask(BOB),
			{ task_type: 12, task_dict: { wxid_delete: BOB } },
		],
		[
			'13 accept friend',
			() => acceptFriendRequestTask('v1_0a9b@stranger', 'v2_0123@stranger'),
			{ task_type: 13, task_dict: { v1: 'v1_0a9b@stranger', v2: 'v2_0123@stranger' } },
		],
		[
			'14 re-report',
			() => reReportContactsTask(3),
			{ task_type: 14, task_dict: { flag_report_contact: 3 } },
		],
		['15 zombie', () => checkZombieTask(BOB), { task_type: 15, task_dict: { wxid: BOB } }],
		['16 user info', () => getUserInfoTask(BOB), { task_type: 16, task_dict: { wxid: BOB } }],
		[
			'17 create room',
			() => createRoomTask([ALICE, BOB]),
			{ task_type: 17, task_dict: { member_list: [ALICE, BOB] } },
		],
		[
			'18 rename',
			() => renameRoomTask(ROOM, '周末徒步群'),
			{ task_type: 18, task_dict: { room_wxid: ROOM, room_name: '周末徒步群' } },
		],
		[
			'19 accept invitation',
			() =>
				acceptRoomInvitationTask(
					'https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=A1',
				),
			{
				task_type: 19,
				task_dict: {
					invite_url:
						'https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=A1',
				},
			},
		],
	])('%s', (_name, build, expected) => {
		expect(JSON.parse(JSON.stringify(build()))).toEqual(expected);
	});
});

describe('task builders refuse bad input, naming the field', () => {
	it.each<[string, () => unknown, string, string | RegExp]>([
		[
			'room without @chatroom',
			() => quitRoomTask('8680025352'),
			'room_wxid',
			'"8680025352" is not a room ID (rooms end in @chatroom, WeCom rooms in @im.chatroom)',
		],
		['bare @chatroom', () => quitRoomTask('@chatroom'), 'room_wxid', /is not a room ID/],
		['empty member', () => removeRoomMemberTask(ROOM, '  '), 'wxid', 'must not be empty'],
		[
			'member that is a room',
			() => inviteRoomMemberTask(ROOM, ROOM),
			'wxid',
			`"${ROOM}" is a room, not a person`,
		],
		['wxid with spaces', () => deleteFriendTask('wxid a'), 'wxid_delete', /has spaces/],
		[
			'no rooms to report',
			() => reportRoomMembersTask([]),
			'room_wxid_list',
			'needs at least one room',
		],
		[
			'rooms not a list',
			() => reportRoomMembersTask(ROOM as unknown as string[]),
			'room_wxid_list',
			'must be a list of WeChat IDs',
		],
		[
			'bad room in list',
			() => reportRoomMembersTask([ROOM, 'x']),
			'room_wxid_list[1]',
			/not a room ID/,
		],
		[
			'non-text greeting',
			() => addRoomMemberAsFriendTask(ROOM, ALICE, 5 as unknown as string),
			'msg',
			'must be text',
		],
		['empty file index', () => uploadFileTask(''), 'file_index', 'must not be empty'],
		['empty announcement', () => postRoomAnnouncementTask(ROOM, ''), 'msg', 'must not be empty'],
		['empty transfer id', () => acceptTransferTask(ALICE, ''), 'transferid', 'must not be empty'],
		['empty v2', () => acceptFriendRequestTask('v1', ''), 'v2', 'must not be empty'],
		['flag 0', () => reReportContactsTask(0), 'flag_report_contact', /must be 1-7/],
		['flag 8', () => reReportContactsTask(8), 'flag_report_contact', /must be 1-7/],
		['flag 1.5', () => reReportContactsTask(1.5), 'flag_report_contact', /must be 1-7/],
		['zombie check on a room', () => checkZombieTask(ROOM), 'wxid', /is a room/],
		[
			'room with one member',
			() => createRoomTask([ALICE]),
			'member_list',
			'needs at least 2 different members to create a room',
		],
		[
			'room with a duplicate member',
			() => createRoomTask([ALICE, ALICE]),
			'member_list',
			/at least 2 different/,
		],
		['empty room name', () => renameRoomTask(ROOM, ' '), 'room_name', 'must not be empty'],
		[
			'invitation not a URL',
			() => acceptRoomInvitationTask('weixin://abc'),
			'invite_url',
			'"weixin://abc" must be an http or https URL',
		],
		[
			'invitation garbage',
			() => acceptRoomInvitationTask('not a url'),
			'invite_url',
			'"not a url" is not a URL',
		],
		[
			'remove from a non-room',
			() => removeRoomMemberTask('abc', ALICE),
			'room_wxid',
			/not a room ID/,
		],
	])('%s', (_name, build, field, message) => {
		const error = validationError(build);
		expect(error.field).toBe(field);
		if (typeof message === 'string') expect(error.message).toBe(message);
		else expect(error.message).toMatch(message);
	});

	it('is an Error with a name', () => {
		const error = new TaskValidationError('wxid', 'must not be empty');
		expect(error).toBeInstanceOf(Error);
		expect(error.name).toBe('TaskValidationError');
	});
});

describe('push units', () => {
	it.each<[string, () => PushMsgUnit, PushMsgUnit]>([
		['text', () => textUnit(' 你好 [微笑] '), { msg_type: 1, msg: ' 你好 [微笑] ' }],
		[
			'image',
			() => imageUnit('https://cdn.example.com/a.png'),
			{ msg_type: 3, msg: 'https://cdn.example.com/a.png' },
		],
		[
			'link',
			() => linkUnit('https://n8n.io', 'n8n', 'Workflow automation', 'https://n8n.io/logo.png'),
			{
				msg_type: 49,
				link_url: 'https://n8n.io',
				link_title: 'n8n',
				link_desc: 'Workflow automation',
				link_img_url: 'https://n8n.io/logo.png',
			},
		],
		[
			'link without extras',
			() => linkUnit('https://n8n.io', 'n8n'),
			{
				msg_type: 49,
				link_url: 'https://n8n.io',
				link_title: 'n8n',
				link_desc: '',
				link_img_url: '',
			},
		],
		[
			'video',
			() => videoUnit('http://cdn.example.com/v.mp4'),
			{ msg_type: 43, video_url: 'http://cdn.example.com/v.mp4' },
		],
		['card', () => cardUnit(BOB), { msg_type: 42, wxid_card: BOB }],
		[
			'gif',
			() => gifUnit('https://cdn.example.com/a.gif'),
			{ msg_type: 47, msg: 'https://cdn.example.com/a.gif' },
		],
	])('%s', (_name, build, expected) => {
		expect(build()).toEqual(expected);
	});

	it('builds a mini program from a stored raw_msg, without the room sender prefix', () => {
		const raw = storedMiniProgramRawMsg();
		const unit = miniProgramUnit(raw, 'https://cdn.example.com/cover.jpg');
		expect(unit.msg_type).toBe(4901);
		expect(unit.cover_url).toBe('https://cdn.example.com/cover.jpg');
		expect(unit.raw_msg.startsWith('<?xml')).toBe(true);
		expect(raw.endsWith(unit.raw_msg)).toBe(true);
		expect(miniProgramUnit(raw)).not.toHaveProperty('cover_url');
	});

	it.each<[string, () => unknown, string, string | RegExp]>([
		['empty text', () => textUnit('  '), 'msg', 'the text must not be empty'],
		['image via ftp', () => imageUnit('ftp://x/a.png'), 'msg', /must be an http or https URL/],
		['link without title', () => linkUnit('https://n8n.io', ''), 'link_title', 'must not be empty'],
		[
			'link with a bad thumbnail',
			() => linkUnit('https://n8n.io', 't', '', 'file:///x'),
			'link_img_url',
			/http or https/,
		],
		['card of a room', () => cardUnit(ROOM), 'wxid_card', /is a room/],
		[
			'mini program from a link message',
			() => miniProgramUnit('<msg><appmsg><title>x</title></appmsg></msg>'),
			'raw_msg',
			'is not a mini program message (no <weappinfo>)',
		],
		[
			'mini program from plain text',
			() => miniProgramUnit('hello'),
			'raw_msg',
			'is not a mini program message (not XML (plain text))',
		],
		[
			'mini program with a bad cover',
			() => miniProgramUnit(storedMiniProgramRawMsg(), 'cover.jpg'),
			'cover_url',
			/is not a URL/,
		],
	])('refuses %s', (_name, build, field, message) => {
		const error = validationError(build);
		expect(error.field).toBe(field);
		if (typeof message === 'string') expect(error.message).toBe(message);
		else expect(error.message).toMatch(message);
	});
});

describe('sendMessageTask', () => {
	const hello = textUnit('大家好');

	it('fills both the 0.1.5 and the 0.2+ fields when the client version is unknown', () => {
		expect(sendMessageTask(ROOM, [hello], { atList: [ALICE, BOB] })).toEqual({
			task_type: 1,
			task_dict: {
				room_wxid: ROOM,
				wxid: ALICE,
				wxid_to: ROOM,
				at_list: [ALICE, BOB],
				msg_list: [hello],
			},
		});
	});

	it('uses room_wxid + wxid for a 0.1.5 client', () => {
		expect(sendMessageTask(ROOM, [hello], { atList: [ALICE], clientVersion: '0.1.5' })).toEqual({
			task_type: 1,
			task_dict: { room_wxid: ROOM, wxid: ALICE, msg_list: [hello] },
		});
		expect(sendMessageTask(BOB, [hello], { clientVersion: '0.1.5' })).toEqual({
			task_type: 1,
			task_dict: { room_wxid: '', wxid: BOB, msg_list: [hello] },
		});
	});

	it('uses wxid_to + at_list for 0.2+ clients, and at_style 1 only when asked from 0.4.2', () => {
		expect(sendMessageTask(BOB, [hello], { clientVersion: '0.2.0' })).toEqual({
			task_type: 1,
			task_dict: { wxid_to: BOB, at_list: [], msg_list: [hello] },
		});
		expect(
			sendMessageTask(ROOM, [hello], { atList: [ALICE], atStyle: true, clientVersion: '0.4.26' })
				.task_dict,
		).toEqual({
			wxid_to: ROOM,
			at_list: [ALICE],
			at_style: 1,
			msg_list: [hello],
		});
		expect(
			sendMessageTask(ROOM, [hello], { atStyle: true, clientVersion: '0.4.1' }).task_dict,
		).not.toHaveProperty('at_style');
		expect(
			sendMessageTask(ROOM, [hello], { atStyle: false, clientVersion: '0.4.26' }).task_dict,
		).not.toHaveProperty('at_style');
	});

	it('re-checks units that come from JSON, naming their position', () => {
		const units = [hello, { msg_type: 3, msg: 'not a url' }] as PushMsgUnit[];
		expect(validationError(() => sendMessageTask(ROOM, units))).toEqual({
			field: 'msg_list[1].msg',
			message: '"not a url" is not a URL',
		});
		expect(
			validationError(() => sendMessageTask(ROOM, [{ msg_type: 34 } as unknown as PushMsgUnit])),
		).toEqual({
			field: 'msg_list[0].msg_type',
			message: '34 cannot be sent (use 1, 3, 42, 43, 47, 49 or 4901)',
		});
		expect(
			validationError(() => sendMessageTask(ROOM, ['hi' as unknown as PushMsgUnit])).field,
		).toBe('msg_list[0]');
	});

	it.each<[string, () => unknown, string, string]>([
		['no units', () => sendMessageTask(ROOM, []), 'msg_list', 'needs at least one message'],
		['no target', () => sendMessageTask('', [hello]), 'wxid_to', 'must not be empty'],
		[
			'mentions in a private chat',
			() => sendMessageTask(BOB, [hello], { atList: [ALICE] }),
			'at_list',
			'mentions only work in rooms (the target is a person)',
		],
		[
			'two mentions for 0.1.x',
			() => sendMessageTask(ROOM, [hello], { atList: [ALICE, BOB], clientVersion: '0.1.5' }),
			'at_list',
			'WeHub 0.1.x can mention only one person per message',
		],
		[
			'an empty mention',
			() => sendMessageTask(ROOM, [hello], { atList: [''] }),
			'at_list[0]',
			'must not be empty',
		],
	])('refuses %s', (_name, build, field, message) => {
		expect(validationError(build)).toEqual({ field, message });
	});

	it('accepts every sendable unit kind', () => {
		const units: PushMsgUnit[] = [
			hello,
			imageUnit('https://cdn.example.com/a.png'),
			linkUnit('https://n8n.io', 'n8n'),
			videoUnit('https://cdn.example.com/v.mp4'),
			cardUnit(BOB),
			gifUnit('https://cdn.example.com/a.gif'),
			miniProgramUnit(storedMiniProgramRawMsg()),
		];
		expect(sendMessageTask(ROOM, units, { clientVersion: '0.4.26' }).task_dict.msg_list).toEqual(
			units,
		);
	});
});

it('names every task type', () => {
	expect(Object.keys(TASK_TYPE_NAMES).map(Number)).toEqual([
		...Array.from({ length: 19 }, (_, i) => i + 1),
		100,
		101,
	]);
});
