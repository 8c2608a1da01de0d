import {
	ClientTooOldError,
	TaskValidationError,
	checkZombieTask,
	createRoomTask,
	fileUnit,
	getUserInfoTask,
	gifUnit,
	inviteRoomMemberTask,
	reReportContactsTask,
	renameRoomTask,
	renameTagTask,
	acceptRoomInvitationTask,
	sendMessageTask,
	tagContactsTask,
	textUnit,
	type BotClient,
	type WeHubTask,
} from '../../nodes/WeHub/protocol';

const ROOM = '8680025352@chatroom';
const WECOM_ROOM = '10696052644@im.chatroom';
const WECOM_PERSON = 'wmJg8aCgAAbyqTYk4Y2Gfl@openim';
const ALICE = 'wxid_alice6a8kd2';
const BOB = 'fangqing_hust';
const INVITE =
	'https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=A8kT3x%2Bq';

function refusal(build: () => unknown): TaskValidationError {
	try {
		build();
	} catch (error) {
		if (error instanceof TaskValidationError) return error;
		throw error;
	}
	throw new Error('expected a TaskValidationError');
}

describe('task 100: tag friends or rooms (WeHub 0.4.2)', () => {
	it('adds friends and rooms to a tag, as PROTOCOL.md shapes it', () => {
		expect(tagContactsTask(' VIP 客户 ', [ALICE, ROOM, ALICE], 1)).toEqual({
			task_type: 100,
			task_dict: { tag_name: 'VIP 客户', wxid_list: [ALICE, ROOM], op_code: 1 },
		});
	});

	it('removes them from it', () => {
		expect(tagContactsTask('VIP', [BOB], 2).task_dict).toEqual({
			tag_name: 'VIP',
			wxid_list: [BOB],
			op_code: 2,
		});
	});

	it('deletes the tag with an empty wxid_list, whatever was given', () => {
		expect(tagContactsTask('VIP', [ALICE], 3).task_dict).toEqual({
			tag_name: 'VIP',
			wxid_list: [],
			op_code: 3,
		});
	});

	it.each([
		[() => tagContactsTask('', [ALICE], 1), 'tag_name', /must not be empty/],
		[() => tagContactsTask('VIP', [], 1), 'wxid_list', /at least one friend or room/],
		[() => tagContactsTask('VIP', [WECOM_PERSON], 1), 'wxid_list[0]', /WeCom contact/],
		[() => tagContactsTask('VIP', [ALICE, WECOM_ROOM], 2), 'wxid_list[1]', /WeCom contact/],
		[() => tagContactsTask('VIP', ['v1_0b9b3ac4@stranger'], 1), 'wxid_list[0]', /stranger/],
		[() => tagContactsTask('VIP', [ALICE], 4 as never), 'op_code', /1 \(add\)/],
	])('refuses bad input, naming the field (%#)', (build, field, message) => {
		const error = refusal(build);
		expect(error.field).toBe(field);
		expect(error.message).toMatch(message);
	});
});

describe('task 101: rename a tag (WeHub 0.4.2)', () => {
	it('renames, as PROTOCOL.md shapes it', () => {
		expect(renameTagTask('VIP', ' 大客户 ')).toEqual({
			task_type: 101,
			task_dict: { old_tag_name: 'VIP', new_tag_name: '大客户' },
		});
	});

	it('refuses an empty or unchanged name', () => {
		expect(refusal(() => renameTagTask('VIP', '')).field).toBe('new_tag_name');
		expect(refusal(() => renameTagTask('', 'VIP')).field).toBe('old_tag_name');
		expect(refusal(() => renameTagTask('VIP', 'VIP')).message).toMatch(/same as the current/);
	});
});

describe('one version rule, in the builders themselves', () => {
	const later: Array<[string, (client: BotClient) => WeHubTask]> = [
		['14 re-report contacts', (client) => reReportContactsTask(3, client)],
		['15 zombie check', (client) => checkZombieTask(ALICE, client)],
		['16 user info', (client) => getUserInfoTask(ALICE, client)],
		['17 create room', (client) => createRoomTask([ALICE, BOB], client)],
		['18 rename room', (client) => renameRoomTask(ROOM, '新群名', client)],
		['19 accept invitation', (client) => acceptRoomInvitationTask(INVITE, client)],
		['100 tag', (client) => tagContactsTask('VIP', [ALICE], 1, client)],
		['101 rename tag', (client) => renameTagTask('VIP', '大客户', client)],
		['3 with flag', (client) => inviteRoomMemberTask(ROOM, ALICE, true, client)],
	];

	it.each(later)(
		'task %s is refused for a bot known to run 0.1.5, naming the version',
		(_, build) => {
			const error = refusal(() => build({ clientVersion: '0.1.5' }));
			expect(error).toBeInstanceOf(ClientTooOldError);
			expect(error.message).toMatch(
				/the bot runs WeHub 0\.1\.5, which cannot do this: .* came with WeHub 0\.(2|4)\.\d/,
			);
		},
	);

	it.each(later)('task %s is built for 0.4.26 and for a bot of unknown version', (_, build) => {
		expect(build({ clientVersion: '0.4.26' })).toEqual(build({}));
	});

	it('knows tags came with 0.4.2: a 0.4.1 bot cannot tag', () => {
		expect(
			refusal(() => tagContactsTask('VIP', [ALICE], 1, { clientVersion: '0.4.1' })).message,
		).toMatch(/came with WeHub 0\.4\.2/);
		expect(tagContactsTask('VIP', [ALICE], 1, { clientVersion: '0.4.2' }).task_type).toBe(100);
	});

	it('invites without the flag on 0.1.5 as the original document has it', () => {
		expect(inviteRoomMemberTask(ROOM, ALICE, false, { clientVersion: '0.1.5' })).toEqual({
			task_type: 3,
			task_dict: { room_wxid: ROOM, wxid: ALICE },
		});
	});

	it('refuses GIF, file and mini program units for 0.1.x, naming the unit', () => {
		const gif = [textUnit('看这个'), gifUnit('https://cdn.example.com/g.gif')];
		const error = refusal(() => sendMessageTask(ROOM, gif, { clientVersion: '0.1.5' }));
		expect(error.field).toBe('msg_list[1]');
		expect(error.message).toMatch(/GIFs came with WeHub 0\.2\.0/);
		expect(
			refusal(() => fileUnit('https://cdn.example.com/a.pdf', { clientVersion: '0.1.5' })).message,
		).toMatch(/Files came with/);
		expect(fileUnit('https://cdn.example.com/a.pdf', { clientVersion: '0.2.0' })).toEqual({
			msg_type: 43,
			video_url: 'https://cdn.example.com/a.pdf',
		});
	});
});

describe('WeCom ids in the task builders', () => {
	it('sends to a WeCom room as a room (0.1.5 fields: room_wxid)', () => {
		expect(sendMessageTask(WECOM_ROOM, [textUnit('大家好')], { clientVersion: '0.1.5' })).toEqual({
			task_type: 1,
			task_dict: { msg_list: [{ msg_type: 1, msg: '大家好' }], room_wxid: WECOM_ROOM, wxid: '' },
		});
	});

	it('mentions people in a WeCom room and invites into it', () => {
		expect(
			sendMessageTask(WECOM_ROOM, [textUnit('@张三 你好')], { atList: [WECOM_PERSON] }).task_dict,
		).toMatchObject({
			wxid_to: WECOM_ROOM,
			at_list: [WECOM_PERSON],
		});
		expect(inviteRoomMemberTask(WECOM_ROOM, WECOM_PERSON).task_dict).toEqual({
			room_wxid: WECOM_ROOM,
			wxid: WECOM_PERSON,
		});
	});

	it('refuses a WeCom room where a person is meant', () => {
		expect(refusal(() => checkZombieTask(WECOM_ROOM)).message).toMatch(/is a room, not a person/);
	});
});
