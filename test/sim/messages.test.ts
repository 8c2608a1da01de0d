import { parseStringPromise } from 'xml2js';
import { expectedAckType, parseVersion, supports, versionAtLeast } from '../../sim/clientVersion';
import {
	buildMessage,
	MESSAGE_KINDS,
	messageKindNamed,
	MSG_TYPES,
	type MessageKind,
	type MessageKindName,
} from '../../sim/messages';
import { generateContacts } from '../../sim/people';
import { Random } from '../../sim/random';

const BOT = 'wxid_bot1';
const ROOM = '8680025352@chatroom';
const FRIEND = 'fangqing_hust';

function build(kind: MessageKindName, version: string, options = {}) {
	return buildMessage(
		kind,
		{ from: FRIEND, ...options },
		{ version, botWxid: BOT, random: new Random(7) },
	);
}

const XML_KINDS: MessageKind[] = ['voice', 'card', 'video', 'emoji', 'mini_program', 'file'];

describe('client versions', () => {
	it.each([
		['0.1.5', 'report_new_msg', 'report_new_msg_ack'],
		['0.1.5', 'login', 'login_ack'],
		['0.2.0', 'report_new_msg', 'common_ack'],
		['0.4.26', 'report_task_result', 'common_ack'],
		['0.4.26', 'login', 'login_ack'],
		['0.4.26', 'logout', 'logout_ack'],
		['0.4.26', 'pull_task', 'pull_task_ack'],
	])('client %s expects %s to be answered with %s', (version, action, ackType) => {
		expect(expectedAckType(action, version)).toBe(ackType);
	});

	it('compares versions numerically', () => {
		expect(versionAtLeast('0.2.10', '0.2.2')).toBe(true);
		expect(versionAtLeast('0.2.1', '0.2.2')).toBe(false);
		expect(versionAtLeast('1.0.0', '0.4.26')).toBe(true);
		expect(supports('0.2.2', 'loginNonce')).toBe(true);
		expect(supports('0.1.5', 'loginNonce')).toBe(false);
	});

	it.each([
		['0.4.26', [0, 4, 26]],
		['0.3.8.1', [0, 3, 8]],
		['0.2.15.3', [0, 2, 15]],
		['v0.4.26', [0, 4, 26]],
		['V0.2.2', [0, 2, 2]],
		[' 0.1.5 ', [0, 1, 5]],
	])('reads client version %j as its first three numbers', (version, parts) => {
		expect(parseVersion(version)).toEqual(parts);
	});

	it.each(['0.4', '0.4.26-beta', 'latest', 'v', ''])(
		'does not read %j as a client version it can play',
		(version) => {
			expect(parseVersion(version)).toBeUndefined();
		},
	);

	it('plays a build such as 0.3.8.1 as client 0.3.8', () => {
		expect(supports('0.3.8.1', 'friendRemoved')).toBe(true);
		expect(supports('0.3.8.1', 'clientSession')).toBe(false);
		expect(expectedAckType('report_new_msg', '0.3.8.1')).toBe('common_ack');
		expect(expectedAckType('report_new_msg', 'v0.4.26')).toBe('common_ack');
		expect(versionAtLeast('0.3.8.1', '0.3.8')).toBe(true);
		expect(versionAtLeast('0.3.7.9', '0.3.8')).toBe(false);
	});
});

describe('message kind names', () => {
	it('names each msg_type as the package names its kind, 4901 as mini_program', () => {
		expect(MSG_TYPES).toEqual({
			text: 1,
			image: 3,
			voice: 34,
			card: 42,
			video: 43,
			emoji: 47,
			link: 49,
			mini_program: 4901,
			transfer: 4902,
			file: 4903,
			system: 10000,
		});
		expect(MESSAGE_KINDS).toEqual(Object.keys(MSG_TYPES));
		expect(MESSAGE_KINDS).not.toContain('miniProgram');
	});

	it('still accepts the earlier name miniProgram for a mini program', () => {
		expect(messageKindNamed('miniProgram')).toBe('mini_program');
		expect(messageKindNamed('mini_program')).toBe('mini_program');
		expect(build('miniProgram', '0.4.26').unit.msg_type).toBe(4901);
	});

	it.each(['sticker', 'MINI_PROGRAM', 'toString', 4901, undefined])(
		'names no kind with %j',
		(name) => {
			expect(messageKindNamed(name)).toBeUndefined();
		},
	);

	it('refuses to build an unknown kind, naming the known ones', () => {
		expect(() => build('sticker' as MessageKind, '0.4.26')).toThrow(
			/Unknown message kind "sticker" \(known: text, .*mini_program/,
		);
	});
});

describe.each(['0.1.5', '0.4.26'])('message units of client %s', (version) => {
	const later = version !== '0.1.5';

	it.each(MESSAGE_KINDS.map((kind) => [kind]))(
		'%s carries its msg_type and the common fields',
		(kind) => {
			const { unit } = build(kind, version, { room: ROOM });
			expect(unit).toMatchObject({
				msg_type: MSG_TYPES[kind],
				room_wxid: ROOM,
				wxid_from: FRIEND,
				wxid_to: ROOM,
			});
			if (later) {
				expect(unit.msg_id).toMatch(/^\d{19}$/);
				expect(unit.msg_timestamp).toEqual(expect.any(Number));
			} else {
				expect(unit).not.toHaveProperty('msg_id');
				expect(unit).not.toHaveProperty('msg_timestamp');
			}
		},
	);

	it.each(XML_KINDS.map((kind) => [kind]))(
		'%s in a room has raw_msg XML after the "sender:\\n" prefix',
		async (kind) => {
			const { unit } = build(kind, version, { room: ROOM });
			const raw = String(unit.raw_msg);
			expect(raw.startsWith(`${FRIEND}:\n`)).toBe(true);
			const parsed = await parseStringPromise(raw.slice(FRIEND.length + 2));
			expect(Object.keys(parsed)).toEqual(['msg']);
		},
	);

	it.each(XML_KINDS.map((kind) => [kind]))(
		'%s in a private chat has bare raw_msg XML',
		async (kind) => {
			const { unit } = build(kind, version);
			expect(unit).toMatchObject({ room_wxid: '', wxid_from: FRIEND, wxid_to: BOT });
			await expect(parseStringPromise(String(unit.raw_msg))).resolves.toHaveProperty('msg');
		},
	);

	it('text puts mentions before the words and, later, lists them in atUserList', () => {
		const { unit } = build('text', version, {
			room: ROOM,
			text: '明天开会',
			mentions: [
				{ wxid: 'wxid_b', name: 'BN' },
				{ wxid: 'wxid_c', name: 'CN' },
			],
		});
		expect(unit.msg).toBe('@BN @CN 明天开会');
		if (later) expect(unit.atUserList).toEqual(['wxid_b', 'wxid_c']);
		else expect(unit).not.toHaveProperty('atUserList');
	});

	it('image has a file_index and the bytes a later task 9 uploads', () => {
		const { unit, media } = build('image', version);
		expect(unit.file_index).toMatch(/^3053020100044c304a/);
		expect(media?.fileIndex).toBe(unit.file_index);
		expect(media?.file.contentType).toBe('image/jpeg');
	});

	it('an image the bot sent itself has a local path as file_index', () => {
		const { unit } = build('image', version, { from: BOT, to: FRIEND });
		expect(unit).toMatchObject({ wxid_from: BOT, wxid_to: FRIEND });
		expect(String(unit.file_index)).toMatch(/^C:\\Users\\.*\\FileStorage\\Image\\.*\.dat$/);
	});

	it('voice and file have an empty file_index on clients that cannot upload them', () => {
		const voice = build('voice', version).unit;
		const file = build('file', version, { fileName: '会议纪要.docx' }).unit;
		expect(voice.file_index === '').toBe(!supports(version, 'voiceUpload'));
		expect(file.file_index === '').toBe(!supports(version, 'fileUpload'));
		expect(String(file.raw_msg)).toContain('<title>会议纪要.docx</title>');
		expect(String(file.raw_msg)).toContain('<fileext>docx</fileext>');
	});

	it('link has its four fields; later clients add sub_type 5 and appmsg raw_msg', async () => {
		const { unit } = build('link', version, { roomInvite: true });
		expect(unit.link_url).toMatch(/addchatroombyinvite/);
		expect(unit).toMatchObject({
			link_title: '邀请你加入群聊',
			link_img_url: expect.stringMatching(/^http/),
		});
		if (later) {
			expect(unit.sub_type).toBe(5);
			const xml = await parseStringPromise(String(unit.raw_msg));
			expect(xml.msg.appmsg[0].type[0]).toBe('5');
			expect(xml.msg.appmsg[0].url[0]).toBe(unit.link_url);
		} else {
			expect(unit).not.toHaveProperty('raw_msg');
		}
	});

	it('transfer carries transferid and paysubtype, and the same values in its wcpayinfo', async () => {
		const { unit } = build('transfer', version, { amount: '0.10', paysubtype: 1 });
		expect(unit).toMatchObject({ paysubtype: 1, transferid: expect.stringMatching(/^\d{31}$/) });
		const xml = await parseStringPromise(String(unit.raw_msg));
		const pay = xml.msg.appmsg[0].wcpayinfo[0];
		expect(pay.feedesc[0]).toBe('￥0.10');
		expect(pay.transferid[0]).toBe(unit.transferid);
		expect(pay.transcationid[0]).toMatch(/^\d+$/);
		expect(xml.msg.appmsg[0].type[0]).toBe('2000');
	});

	it('mini program raw_msg has weappinfo inside CDATA and a source display name', async () => {
		const { unit } = build('mini_program', version, { description: '美团外卖' });
		const xml = await parseStringPromise(String(unit.raw_msg));
		expect(xml.msg.appmsg[0].weappinfo[0].username[0]).toMatch(/^gh_[0-9a-f]+@app$/);
		expect(xml.msg.appmsg[0].sourcedisplayname[0]).toBe('美团外卖');
		expect(unit.file_index !== undefined).toBe(later);
	});

	it('system notice is plain text', () => {
		expect(build('system', version, { room: ROOM }).unit.raw_msg).toBe('你邀请"张伟"加入了群聊');
		expect(build('system', version).unit.raw_msg).toBe('消息已发出，但被对方拒收了');
	});
});

describe('generated contacts', () => {
	it('reports friends and rooms in the documented shapes, the bot in every room', () => {
		const bot = {
			wxid: BOT,
			nickname: '小助手',
			wx_alias: 'helper',
			head_img: 'http://wx.qlogo.cn/mmhead/ver_1/x/132',
		};
		const book = generateContacts({ friends: 30, groups: 4 }, bot, new Random(1), '0.4.26');
		expect(book.friends).toHaveLength(30);
		for (const friend of book.friends) {
			expect(Object.keys(friend).sort()).toEqual([
				'city',
				'country',
				'head_img',
				'nickname',
				'province',
				'remark_name',
				'sex',
				'wx_alias',
				'wxid',
			]);
		}
		expect(new Set(book.friends.map((f) => f.wxid)).size).toBe(30);
		for (const group of book.groups) {
			expect(group.member_wxid_list).toContain(BOT);
			expect(book.members.get(group.wxid)?.map((m) => m.wxid)).toEqual(group.member_wxid_list);
		}
		const legacy = generateContacts({ friends: 3, groups: 0 }, bot, new Random(1), '0.1.5');
		expect(Object.keys(legacy.friends[0]).sort()).toEqual([
			'head_img',
			'nickname',
			'remark_name',
			'wx_alias',
			'wxid',
		]);
	});
});
