/* eslint-disable @n8n/community-nodes/require-node-api-error -- protocol/ imports nothing from n8n; the
   action node turns TaskValidationError into a NodeOperationError naming the parameter. */
import { isRoomWxid, isWeComWxid } from './ids';
import { splitSender, parseRawXml, xmlPath } from './rawXml';
import type {
	CardPushUnit,
	GifPushUnit,
	ImagePushUnit,
	LinkPushUnit,
	MiniProgramPushUnit,
	PushMsgUnit,
	SendMessageTaskDict,
	TagOpCode,
	TaskType,
	TextPushUnit,
	VideoPushUnit,
	WeHubTaskOf,
} from './types';
import { parseClientVersion, versionAtLeast } from './version';

/**
 * Task and push-unit builders. Their input comes from a user's node parameters, so unlike the rest
 * of protocol/ they throw: a `TaskValidationError` naming the wire field (`room_wxid`,
 * `msg_list[1].msg`) so the node can point at the parameter to fix. Strings are trimmed.
 */
export class TaskValidationError extends Error {
	readonly field: string;

	constructor(field: string, message: string) {
		super(message);
		this.name = 'TaskValidationError';
		this.field = field;
	}
}

/** A task or unit the bot's known WeHub client predates (the fix is the client, not a field). */
export class ClientTooOldError extends TaskValidationError {
	constructor(field: string, message: string) {
		super(field, message);
		this.name = 'ClientTooOldError';
	}
}

export const TASK_TYPE_NAMES: Readonly<Record<TaskType, string>> = {
	1: 'send_message',
	2: 'remove_room_member',
	3: 'invite_room_member',
	4: 'report_room_members',
	5: 'add_room_member_as_friend',
	6: 'set_friend_remark',
	7: 'set_room_nickname',
	8: 'quit_room',
	9: 'upload_file',
	10: 'post_room_announcement',
	11: 'accept_transfer',
	12: 'delete_friend',
	13: 'accept_friend_request',
	14: 're_report_contacts',
	15: 'check_zombie',
	16: 'get_user_info',
	17: 'create_room',
	18: 'rename_room',
	19: 'accept_room_invitation',
	100: 'tag_contacts',
	101: 'rename_tag',
};

/* ------------------------------------------------------------------ the bot's client */

/** What a builder knows of the bot's WeHub client, from its login. Unknown = assume it is new. */
export interface BotClient {
	clientVersion?: string;
}

/**
 * The first client able to carry a feature, and what to call it in an error: one table for every
 * builder. The original document (0.1.5) has tasks 1-13 and push units text, image, link, video
 * and card only; tags came with 0.4.2.
 */
const SINCE = {
	task14: ['0.2.0', 'Re-reporting contacts (task 14)'],
	task15: ['0.2.0', 'Zombie checks (task 15)'],
	task16: ['0.2.0', 'Getting user info (task 16)'],
	task17: ['0.2.0', 'Creating rooms (task 17)'],
	task18: ['0.2.0', 'Renaming rooms (task 18)'],
	task19: ['0.2.0', 'Accepting room invitations (task 19)'],
	task100: ['0.4.2', 'Tags (task 100)'],
	task101: ['0.4.2', 'Renaming tags (task 101)'],
	inviteFlag: ['0.2.0', 'Adding members directly (task 3 flag)'],
	gifUnit: ['0.2.0', 'GIFs'],
	fileUnit: ['0.2.0', 'Files'],
	miniProgramUnit: ['0.2.0', 'Mini programs'],
} as const satisfies Record<string, readonly [string, string]>;

export type ClientFeature = keyof typeof SINCE;

/** Refuses a feature the bot's known client predates; unknown versions pass. */
export function requireClientFeature(
	feature: ClientFeature,
	field: string,
	{ clientVersion }: BotClient = {},
): void {
	const [since, what] = SINCE[feature];
	if (parseClientVersion(clientVersion) === undefined || versionAtLeast(clientVersion, since))
		return;
	throw new ClientTooOldError(
		field,
		`the bot runs WeHub ${clientVersion}, which cannot do this: ${what} came with WeHub ${since}`,
	);
}

/* ------------------------------------------------------------------ field checks */

function text(field: string, value: unknown, { allowEmpty = false } = {}): string {
	if (typeof value !== 'string') throw new TaskValidationError(field, 'must be text');
	const trimmed = value.trim();
	if (!allowEmpty && trimmed === '') throw new TaskValidationError(field, 'must not be empty');
	return trimmed;
}

function wxid(field: string, value: unknown): string {
	const id = text(field, value);
	if (/\s/.test(id))
		throw new TaskValidationError(field, `"${id}" is not a WeChat ID (it has spaces)`);
	return id;
}

function roomWxid(field: string, value: unknown): string {
	const id = wxid(field, value);
	if (!isRoomWxid(id)) {
		throw new TaskValidationError(
			field,
			`"${id}" is not a room ID (rooms end in @chatroom, WeCom rooms in @im.chatroom)`,
		);
	}
	return id;
}

function personWxid(field: string, value: unknown): string {
	const id = wxid(field, value);
	if (isRoomWxid(id)) throw new TaskValidationError(field, `"${id}" is a room, not a person`);
	return id;
}

function httpUrl(field: string, value: unknown): string {
	const url = text(field, value);
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new TaskValidationError(field, `"${url}" is not a URL`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new TaskValidationError(field, `"${url}" must be an http or https URL`);
	}
	return url;
}

function wxidList(
	field: string,
	value: unknown,
	check: (f: string, v: unknown) => string,
): string[] {
	if (!Array.isArray(value)) throw new TaskValidationError(field, 'must be a list of WeChat IDs');
	const ids = value.map((id, index) => check(`${field}[${index}]`, id));
	return [...new Set(ids)];
}

function task<T extends TaskType>(
	task_type: T,
	task_dict: WeHubTaskOf<T>['task_dict'],
): WeHubTaskOf<T> {
	return { task_type, task_dict };
}

/* ------------------------------------------------------------------ push units */

export function textUnit(msg: string): TextPushUnit {
	if (typeof msg !== 'string' || msg.trim() === '') {
		throw new TaskValidationError('msg', 'the text must not be empty');
	}
	// The text is sent as typed: leading/trailing spaces may be intended.
	return { msg_type: 1, msg };
}

export function imageUnit(imageUrl: string): ImagePushUnit {
	return { msg_type: 3, msg: httpUrl('msg', imageUrl) };
}

export function linkUnit(
	linkUrl: string,
	linkTitle: string,
	linkDesc = '',
	linkImgUrl = '',
): LinkPushUnit {
	return {
		msg_type: 49,
		link_url: httpUrl('link_url', linkUrl),
		link_title: text('link_title', linkTitle),
		link_desc: text('link_desc', linkDesc, { allowEmpty: true }),
		link_img_url: linkImgUrl.trim() === '' ? '' : httpUrl('link_img_url', linkImgUrl),
	};
}

/** An mp4 URL (later clients send any other URL as a file). */
export function videoUnit(videoUrl: string): VideoPushUnit {
	return { msg_type: 43, video_url: httpUrl('video_url', videoUrl) };
}

export function cardUnit(wxidCard: string): CardPushUnit {
	return { msg_type: 42, wxid_card: personWxid('wxid_card', wxidCard) };
}

export function gifUnit(gifUrl: string): GifPushUnit {
	return { msg_type: 47, msg: httpUrl('msg', gifUrl) };
}

/**
 * A file: from 0.2.0 WeHub sends a video unit whose URL is not an mp4 as a file (0.1.x sends it
 * as a video, so it is refused there). Keep `.mp4` out of the URL.
 */
export function fileUnit(fileUrl: string, client?: BotClient): VideoPushUnit {
	requireClientFeature('fileUnit', 'video_url', client);
	return { msg_type: 43, video_url: httpUrl('video_url', fileUrl) };
}

/**
 * Forwards a received mini program: its raw_msg as stored (a room message's `sender:\n` prefix is
 * removed, it is not part of the XML), optionally with a cover image URL.
 */
export function miniProgramUnit(rawMsg: string, coverUrl?: string): MiniProgramPushUnit {
	const raw = text('raw_msg', rawMsg);
	const { body } = splitSender(raw);
	const parsed = parseRawXml(body);
	if (!parsed.ok)
		throw new TaskValidationError('raw_msg', `is not a mini program message (${parsed.reason})`);
	if (xmlPath(parsed.xml, 'appmsg', 'weappinfo') === undefined) {
		throw new TaskValidationError('raw_msg', 'is not a mini program message (no <weappinfo>)');
	}
	const unit: MiniProgramPushUnit = { msg_type: 4901, raw_msg: body.trim() };
	if (coverUrl !== undefined && coverUrl.trim() !== '')
		unit.cover_url = httpUrl('cover_url', coverUrl);
	return unit;
}

/** Re-checks a unit that may come from JSON rather than a builder; field names carry its index. */
function checkPushUnit(unit: unknown, index: number): PushMsgUnit {
	const at = `msg_list[${index}]`;
	if (typeof unit !== 'object' || unit === null || Array.isArray(unit)) {
		throw new TaskValidationError(at, 'must be a message unit object');
	}
	const u = unit as Record<string, unknown>;
	try {
		switch (u.msg_type) {
			case 1:
				return textUnit(u.msg as string);
			case 3:
				return imageUnit(u.msg as string);
			case 49:
				return linkUnit(
					u.link_url as string,
					u.link_title as string,
					(u.link_desc ?? '') as string,
					(u.link_img_url ?? '') as string,
				);
			case 43:
				return videoUnit(u.video_url as string);
			case 42:
				return cardUnit(u.wxid_card as string);
			case 47:
				return gifUnit(u.msg as string);
			case 4901:
				return miniProgramUnit(u.raw_msg as string, u.cover_url as string | undefined);
			default:
				throw new TaskValidationError(
					'msg_type',
					`${String(u.msg_type)} cannot be sent (use 1, 3, 42, 43, 47, 49 or 4901)`,
				);
		}
	} catch (error) {
		if (error instanceof TaskValidationError) {
			throw new TaskValidationError(`${at}.${error.field}`, error.message);
		}
		throw new TaskValidationError(at, 'must be a message unit object');
	}
}

/* ------------------------------------------------------------------ tasks */

export interface SendMessageOptions extends BotClient {
	/** wxids to @ in a room. */
	atList?: string[];
	/** Put each @ at a `{$@}` placeholder (at_style 1); only used for clients 0.4.2 and later. */
	atStyle?: boolean;
}

/**
 * Task 1: send units to a room or a person. 0.1.5 clients read `room_wxid` + `wxid` (the private
 * target, or the one person to @ in a room); 0.2.0+ read `wxid_to` + `at_list` (+ `at_style`).
 * `clientVersion` unknown fills both sets of fields.
 */
export function sendMessageTask(
	target: string,
	units: PushMsgUnit[],
	options: SendMessageOptions = {},
): WeHubTaskOf<1> {
	const to = wxid('wxid_to', target);
	if (!Array.isArray(units) || units.length === 0) {
		throw new TaskValidationError('msg_list', 'needs at least one message');
	}
	const msg_list = units.map(checkPushUnit);
	msg_list.forEach((unit, index) => {
		if (unit.msg_type === 47) requireClientFeature('gifUnit', `msg_list[${index}]`, options);
		if (unit.msg_type === 4901) {
			requireClientFeature('miniProgramUnit', `msg_list[${index}]`, options);
		}
	});
	const atList =
		options.atList === undefined ? [] : wxidList('at_list', options.atList, personWxid);
	const inRoom = isRoomWxid(to);
	if (atList.length > 0 && !inRoom) {
		throw new TaskValidationError(
			'at_list',
			'mentions only work in rooms (the target is a person)',
		);
	}

	const version = parseClientVersion(options.clientVersion);
	const legacy = version === undefined || !versionAtLeast(options.clientVersion, '0.2.0');
	const modern = version === undefined || !legacy;
	if (version !== undefined && legacy && atList.length > 1) {
		throw new TaskValidationError('at_list', 'WeHub 0.1.x can mention only one person per message');
	}

	const dict: SendMessageTaskDict = { msg_list };
	if (legacy) {
		dict.room_wxid = inRoom ? to : '';
		dict.wxid = inRoom ? (atList[0] ?? '') : to;
	}
	if (modern) {
		dict.wxid_to = to;
		dict.at_list = atList;
		if (options.atStyle && versionAtLeast(options.clientVersion, '0.4.2')) dict.at_style = 1;
	}
	return task(1, dict);
}

/** Task 2. An empty room removes the person from every room the bot owns. */
export function removeRoomMemberTask(roomWxidOrEmpty: string, memberWxid: string): WeHubTaskOf<2> {
	const room =
		typeof roomWxidOrEmpty === 'string' && roomWxidOrEmpty.trim() === ''
			? ''
			: roomWxid('room_wxid', roomWxidOrEmpty);
	return task(2, { room_wxid: room, wxid: personWxid('wxid', memberWxid) });
}

/** Task 3; `addDirectly` (flag 1, 0.2+) skips the invitation card and fails above 40 members. */
export function inviteRoomMemberTask(
	room: string,
	friendWxid: string,
	addDirectly = false,
	client?: BotClient,
): WeHubTaskOf<3> {
	const dict: WeHubTaskOf<3>['task_dict'] = {
		room_wxid: roomWxid('room_wxid', room),
		wxid: personWxid('wxid', friendWxid),
	};
	if (addDirectly) {
		requireClientFeature('inviteFlag', 'flag', client);
		dict.flag = 1;
	}
	return task(3, dict);
}

/** Task 4: WeHub answers with report_room_member_info. */
export function reportRoomMembersTask(rooms: string[]): WeHubTaskOf<4> {
	const list = wxidList('room_wxid_list', rooms, roomWxid);
	if (list.length === 0) throw new TaskValidationError('room_wxid_list', 'needs at least one room');
	return task(4, { room_wxid_list: list });
}

/** Task 5 (WeChat accepts about 200 friend requests a day). */
export function addRoomMemberAsFriendTask(
	room: string,
	memberWxid: string,
	greeting = '',
): WeHubTaskOf<5> {
	return task(5, {
		room_wxid: roomWxid('room_wxid', room),
		wxid: personWxid('wxid', memberWxid),
		msg: text('msg', greeting, { allowEmpty: true }),
	});
}

/** Task 6; an empty remark clears it. */
export function setFriendRemarkTask(friendWxid: string, remarkName: string): WeHubTaskOf<6> {
	return task(6, {
		wxid: personWxid('wxid', friendWxid),
		remark_name: text('remark_name', remarkName, { allowEmpty: true }),
	});
}

/** Task 7: the bot's own nickname in a room; empty resets it. */
export function setRoomNicknameTask(room: string, roomNickname: string): WeHubTaskOf<7> {
	return task(7, {
		room_wxid: roomWxid('room_wxid', room),
		room_nickname: text('room_nickname', roomNickname, { allowEmpty: true }),
	});
}

export function quitRoomTask(room: string): WeHubTaskOf<8> {
	return task(8, { room_wxid: roomWxid('room_wxid', room) });
}

/** Task 9: WeHub then POSTs the file to the upload URL. */
export function uploadFileTask(fileIndex: string): WeHubTaskOf<9> {
	return task(9, { file_index: text('file_index', fileIndex) });
}

export function postRoomAnnouncementTask(room: string, announcement: string): WeHubTaskOf<10> {
	return task(10, { room_wxid: roomWxid('room_wxid', room), msg: text('msg', announcement) });
}

/** Task 11: only transfers someone else sent to the bot (paysubtype 1) can be accepted. */
export function acceptTransferTask(wxidFrom: string, transferId: string): WeHubTaskOf<11> {
	return task(11, {
		wxid_from: personWxid('wxid_from', wxidFrom),
		transferid: text('transferid', transferId),
	});
}

export function deleteFriendTask(friendWxid: string): WeHubTaskOf<12> {
	return task(12, { wxid_delete: personWxid('wxid_delete', friendWxid) });
}

/** Task 13, with the v1/v2 of report_friend_add_request. */
export function acceptFriendRequestTask(v1: string, v2: string): WeHubTaskOf<13> {
	return task(13, { v1: text('v1', v1), v2: text('v2', v2) });
}

/** `flag_report_contact` of task 14 and of login_ack: which lists a contact report carries. */
export const CONTACT_LIST_FLAGS = { friends: 1, rooms: 2, officialAccounts: 4 } as const;

export type ContactList = keyof typeof CONTACT_LIST_FLAGS;

/** The bitmask of some lists (unknown names count nothing); 0 for none. */
export function contactListFlag(lists: readonly string[]): number {
	return lists.reduce((flag, list) => flag | (CONTACT_LIST_FLAGS[list as ContactList] ?? 0), 0);
}

/** Task 14: bitmask 1 friends, 2 rooms, 4 official accounts (1..7). */
export function reReportContactsTask(
	flagReportContact: number,
	client?: BotClient,
): WeHubTaskOf<14> {
	requireClientFeature('task14', 'task_type', client);
	if (!Number.isInteger(flagReportContact) || flagReportContact < 1 || flagReportContact > 7) {
		throw new TaskValidationError(
			'flag_report_contact',
			'must be 1-7: add 1 for friends, 2 for rooms, 4 for official accounts',
		);
	}
	return task(14, { flag_report_contact: flagReportContact });
}

/** Task 15: answered by report_zoom_check_status. */
export function checkZombieTask(friendWxid: string, client?: BotClient): WeHubTaskOf<15> {
	requireClientFeature('task15', 'task_type', client);
	return task(15, { wxid: personWxid('wxid', friendWxid) });
}

/** Task 16: answered by report_user_info. */
export function getUserInfoTask(userWxid: string, client?: BotClient): WeHubTaskOf<16> {
	requireClientFeature('task16', 'task_type', client);
	return task(16, { wxid: personWxid('wxid', userWxid) });
}

/** Task 17: WeChat needs at least 2 other members (the bot is the third). */
export function createRoomTask(memberWxids: string[], client?: BotClient): WeHubTaskOf<17> {
	requireClientFeature('task17', 'task_type', client);
	const members = wxidList('member_list', memberWxids, personWxid);
	if (members.length < 2) {
		throw new TaskValidationError(
			'member_list',
			'needs at least 2 different members to create a room',
		);
	}
	return task(17, { member_list: members });
}

export function renameRoomTask(
	room: string,
	roomName: string,
	client?: BotClient,
): WeHubTaskOf<18> {
	requireClientFeature('task18', 'task_type', client);
	return task(18, {
		room_wxid: roomWxid('room_wxid', room),
		room_name: text('room_name', roomName),
	});
}

/** Task 19: the `addchatroombyinvite` URL of a room-invitation link message. */
export function acceptRoomInvitationTask(inviteUrl: string, client?: BotClient): WeHubTaskOf<19> {
	requireClientFeature('task19', 'task_type', client);
	return task(19, { invite_url: httpUrl('invite_url', inviteUrl) });
}

/** What task 100 does with its tag. */
export const TAG_OP_CODES = { add: 1, remove: 2, delete: 3 } as const satisfies Record<
	string,
	TagOpCode
>;

/** Local tags hold friends and rooms; WeCom contacts and strangers cannot be tagged. */
function taggableWxid(field: string, value: unknown): string {
	const id = wxid(field, value);
	if (isWeComWxid(id))
		throw new TaskValidationError(
			field,
			`"${id}" is a WeCom contact: tags cannot be set on WeCom contacts`,
		);
	if (id.endsWith('@stranger'))
		throw new TaskValidationError(
			field,
			`"${id}" is a stranger: only friends and rooms can be tagged`,
		);
	return id;
}

/**
 * Task 100 (0.4.2): add friends or rooms to a tag (creating it), remove them from it, or delete
 * the tag (its `wxid_list` is then ignored and sent empty).
 */
export function tagContactsTask(
	tagName: string,
	wxids: string[],
	opCode: TagOpCode,
	client?: BotClient,
): WeHubTaskOf<100> {
	requireClientFeature('task100', 'task_type', client);
	if (opCode !== 1 && opCode !== 2 && opCode !== 3) {
		throw new TaskValidationError('op_code', 'must be 1 (add), 2 (remove) or 3 (delete the tag)');
	}
	const tag_name = text('tag_name', tagName);
	if (opCode === TAG_OP_CODES.delete)
		return task(100, { tag_name, wxid_list: [], op_code: opCode });
	const wxid_list = wxidList('wxid_list', wxids, taggableWxid);
	if (wxid_list.length === 0) {
		throw new TaskValidationError('wxid_list', 'needs at least one friend or room');
	}
	return task(100, { tag_name, wxid_list, op_code: opCode });
}

/** Task 101 (0.4.2). */
export function renameTagTask(
	oldTagName: string,
	newTagName: string,
	client?: BotClient,
): WeHubTaskOf<101> {
	requireClientFeature('task101', 'task_type', client);
	const old_tag_name = text('old_tag_name', oldTagName);
	const new_tag_name = text('new_tag_name', newTagName);
	if (old_tag_name === new_tag_name) {
		throw new TaskValidationError('new_tag_name', 'is the same as the current name');
	}
	return task(101, { old_tag_name, new_tag_name });
}
