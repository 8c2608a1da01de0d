/**
 * The WeHub wire format, field for field (snake_case and WeHub's own spellings kept as on the wire).
 * Sources: the original 0.1.5 document and the later shapes summarised in PROTOCOL.md. Fields that
 * appeared after 0.1.5 are optional. These types describe what a *validated* request carries:
 * `parseRequest` checks the fields consumers rely on; the rest is passed through as received.
 */

/* ------------------------------------------------------------------ envelope and actions */

export const KNOWN_ACTIONS = [
	'login',
	'logout',
	'report_contact',
	'report_contact_update',
	'report_new_friend',
	'report_friend_add_request',
	'report_friend_removed',
	'report_new_msg',
	'report_room_member_info',
	'report_room_member_change',
	'report_new_room',
	'report_room_removed',
	'pull_task',
	'report_task_result',
	'report_zoom_check_status',
	'report_user_info',
] as const;

export type WeHubAction = (typeof KNOWN_ACTIONS)[number];

/** Every request WeHub POSTs to the callback URL. `wxid` is the logged-in account (the bot). */
export interface WeHubEnvelope<A extends string = string, D = Record<string, unknown>> {
	action: A;
	appid: string;
	wxid: string;
	data: D;
	/** From client 0.4.26. */
	client_session?: string;
}

/* ------------------------------------------------------------------ shared structures */

/** 0 unknown, 1 male, 2 female. */
export type Sex = 0 | 1 | 2;

export interface UserInfo {
	wxid: string;
	wx_alias?: string;
	nickname?: string;
	remark_name?: string;
	head_img?: string;
	sex?: Sex;
	country?: string;
	province?: string;
	city?: string;
	is_friend?: boolean | number;
}

export interface GroupInfo {
	/** The room, `<digits>@chatroom`. */
	wxid: string;
	name?: string;
	owner_wxid?: string;
	member_count?: number;
	head_img?: string;
	member_wxid_list?: string[];
}

export interface PublicAccountInfo {
	wxid: string;
	nickname?: string;
	head_img?: string;
}

export interface MemberInfo {
	wxid: string;
	wx_alias?: string;
	room_nickname?: string;
	nickname?: string;
	head_img?: string;
	sex?: Sex;
	country?: string;
	province?: string;
	city?: string;
}

export interface RoomData {
	room_wxid: string;
	memberInfo_list: MemberInfo[];
	name?: string;
	owner_wxid?: string;
	head_img?: string;
	member_count?: number;
}

/* ------------------------------------------------------------------ message units (report) */

export const MSG_TYPE = {
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
} as const;

export type KnownMsgType = (typeof MSG_TYPE)[keyof typeof MSG_TYPE];

/** Fields every reported message unit has. */
export interface ReportMsgUnitBase {
	msg_type: number;
	/** The room, or '' for a private chat. */
	room_wxid?: string;
	/** The sender (the bot itself for its own messages). Clients before 0.1.4 send `wxid` instead. */
	wxid_from?: string;
	/** The room for room messages, the bot or the peer for private ones. */
	wxid_to?: string;
	/** Pre-0.1.4 name of `wxid_from`. */
	wxid?: string;
	/** Later clients. */
	msg_id?: string;
	/** Later clients; epoch milliseconds. */
	msg_timestamp?: number;
	/** XML (or plain text for system notices); in rooms may start with `sender_wxid:\n`. */
	raw_msg?: string;
	file_index?: string;
}

export interface TextMsgUnit extends ReportMsgUnitBase {
	msg_type: 1;
	/** "@BN @CN text" when people are mentioned. */
	msg: string;
	/** Later clients: wxids of the people mentioned. */
	atUserList?: string[];
}

export interface ImageMsgUnit extends ReportMsgUnitBase {
	msg_type: 3;
	file_index?: string;
}

export interface VoiceMsgUnit extends ReportMsgUnitBase {
	msg_type: 34;
}

export interface CardMsgUnit extends ReportMsgUnitBase {
	msg_type: 42;
}

export interface VideoMsgUnit extends ReportMsgUnitBase {
	msg_type: 43;
}

export interface EmojiMsgUnit extends ReportMsgUnitBase {
	msg_type: 47;
	emoji_url?: string;
}

export interface LinkMsgUnit extends ReportMsgUnitBase {
	msg_type: 49;
	link_url?: string;
	link_title?: string;
	link_desc?: string;
	link_img_url?: string;
	/** Later clients: the appmsg type; 5 with an `addchatroombyinvite` URL is a room invitation. */
	sub_type?: number;
}

export interface MiniProgramMsgUnit extends ReportMsgUnitBase {
	msg_type: 4901;
}

export interface TransferMsgUnit extends ReportMsgUnitBase {
	msg_type: 4902;
	transferid?: string;
	/** 1 sent (awaiting acceptance), 3 received/confirmed. */
	paysubtype?: number;
}

export interface FileMsgUnit extends ReportMsgUnitBase {
	msg_type: 4903;
}

export interface SystemMsgUnit extends ReportMsgUnitBase {
	msg_type: 10000;
}

/** A msg_type this package does not know (yet): kept with whatever fields it came with. */
export interface UnknownMsgUnit extends ReportMsgUnitBase {
	[field: string]: unknown;
}

export type KnownReportMsgUnit =
	| TextMsgUnit
	| ImageMsgUnit
	| VoiceMsgUnit
	| CardMsgUnit
	| VideoMsgUnit
	| EmojiMsgUnit
	| LinkMsgUnit
	| MiniProgramMsgUnit
	| TransferMsgUnit
	| FileMsgUnit
	| SystemMsgUnit;

/** `$report_msgunit`; narrow with `msg_type` (unknown types fall into `UnknownMsgUnit`). */
export type ReportMsgUnit = KnownReportMsgUnit | UnknownMsgUnit;

/* ------------------------------------------------------------------ per-action request data */

export interface LoginData {
	nickname?: string;
	wx_alias?: string;
	head_img?: string;
	client_version?: string;
	/** 0.2.2; always from 0.4.0. When present the ack must carry `signature`. */
	nonce?: string;
	/** 0.2.3: "ip1|ip2". */
	local_ip?: string;
	/** 0.2.15. */
	machine_id?: string;
}

export interface LogoutData {
	client_version?: string;
	machine_id?: string;
}

export interface ReportContactData {
	friend_list: UserInfo[];
	group_list: GroupInfo[];
	public_list?: PublicAccountInfo[];
}

/** 0.2.6: userInfo and room base info mixed; a room wxid (`@chatroom`, WeCom `@im.chatroom`) is a room. */
export interface ReportContactUpdateData {
	update_list: Array<UserInfo | GroupInfo>;
}

export interface ReportNewFriendData {
	/** Filled from `wxid` when a client names the friend there (flagged `wxid_instead_of_fans_wxid`). */
	fans_wxid: string;
	nickname?: string;
	wx_alias?: string;
	head_img?: string;
	notice_word?: string;
	sourceusername?: string;
	sourcenickname?: string;
}

export interface ReportFriendAddRequestData {
	v1: string;
	/** '' when the client sent none (flagged `v2_missing`): the request cannot be accepted then. */
	v2: string;
	notice_word?: string;
	/** XML `<msg fromusername=... fromnickname=... content=... .../>` describing the requester. */
	raw_msg?: string;
}

/** 0.3.8. */
export interface ReportFriendRemovedData {
	wxid_removed: string;
}

/** One unit in `msg`; parseRequest also accepts `msg_list` or the unit directly in `data`. */
export interface ReportNewMsgData {
	msg?: ReportMsgUnit;
	msg_list?: ReportMsgUnit[];
}

export interface ReportRoomMemberInfoData {
	room_data_list: RoomData[];
}

export interface ReportRoomMemberChangeData {
	room_wxid: string;
	wxid_list: string[];
	/** 1 joined, 0 left; absent when the client sent none (flagged `flag_missing`). */
	flag?: number;
	owner_wxid?: string;
}

export interface ReportNewRoomData {
	/** The room. */
	wxid: string;
	name?: string;
	owner_wxid?: string;
	head_img?: string;
	memberInfo_list?: MemberInfo[];
}

/** 0.4.26: the room we left or were removed from. */
export interface ReportRoomRemovedData {
	wxid_removed: string;
}

export type PullTaskData = Record<string, never>;

export interface ReportTaskResultData {
	task_id: string;
	/** 1 success, 0 failure. parseRequest normalises "1"/"0" strings to numbers. */
	task_result: 0 | 1;
	error_reason?: string;
}

/** 0.4.0 (sic: "zoom" is WeHub's spelling of "zombie"). */
export interface ReportZoomCheckStatusData {
	wxid: string;
	/** 0 normal, 1 blocked me, 2 deleted me. */
	result: number;
}

/** 0.4.6: a userInfo plus extras. */
export interface ReportUserInfoData extends UserInfo {
	/** base64 jpg. */
	head_img_data?: string;
	room_list?: string[];
}

/** Request `data` by action. */
export interface ActionDataMap {
	login: LoginData;
	logout: LogoutData;
	report_contact: ReportContactData;
	report_contact_update: ReportContactUpdateData;
	report_new_friend: ReportNewFriendData;
	report_friend_add_request: ReportFriendAddRequestData;
	report_friend_removed: ReportFriendRemovedData;
	report_new_msg: ReportNewMsgData;
	report_room_member_info: ReportRoomMemberInfoData;
	report_room_member_change: ReportRoomMemberChangeData;
	report_new_room: ReportNewRoomData;
	report_room_removed: ReportRoomRemovedData;
	pull_task: PullTaskData;
	report_task_result: ReportTaskResultData;
	report_zoom_check_status: ReportZoomCheckStatusData;
	report_user_info: ReportUserInfoData;
}

/* ------------------------------------------------------------------ push units (us -> WeHub) */

export interface TextPushUnit {
	msg_type: 1;
	/** WeChat emoji as "[微笑]"-style text. */
	msg: string;
}

export interface ImagePushUnit {
	msg_type: 3;
	/** Image URL (jpg/png) WeHub downloads. */
	msg: string;
}

export interface LinkPushUnit {
	msg_type: 49;
	link_url: string;
	link_title: string;
	link_desc: string;
	link_img_url: string;
}

export interface VideoPushUnit {
	msg_type: 43;
	/** mp4 URL (later clients send any other URL as a file). */
	video_url: string;
}

export interface CardPushUnit {
	msg_type: 42;
	wxid_card: string;
}

/** Later clients. */
export interface GifPushUnit {
	msg_type: 47;
	msg: string;
}

/** Later clients: the raw_msg of a received mini program, unchanged. */
export interface MiniProgramPushUnit {
	msg_type: 4901;
	raw_msg: string;
	cover_url?: string;
}

export type PushMsgUnit =
	| TextPushUnit
	| ImagePushUnit
	| LinkPushUnit
	| VideoPushUnit
	| CardPushUnit
	| GifPushUnit
	| MiniProgramPushUnit;

/* ------------------------------------------------------------------ tasks (us -> WeHub) */

/**
 * Task 1. 0.1.5 reads `room_wxid` (empty for private) + `wxid` (private target, or the one person
 * to @ in a room); 0.2.0+ reads `wxid_to` + `at_list` (+ `at_style` from 0.4.2). When the client
 * version is unknown the builder fills both sets of fields.
 */
export interface SendMessageTaskDict {
	msg_list: PushMsgUnit[];
	room_wxid?: string;
	wxid?: string;
	wxid_to?: string;
	at_list?: string[];
	/** 0.4.2: 1 = put each @ at a `{$@}` placeholder in the text. */
	at_style?: 0 | 1;
}

export interface TaskDictMap {
	1: SendMessageTaskDict;
	/** `room_wxid` '' = remove from every room. */
	2: { room_wxid: string; wxid: string };
	/** `flag` 1 (later) = add directly, fails above 40 members. */
	3: { room_wxid: string; wxid: string; flag?: 0 | 1 };
	4: { room_wxid_list: string[] };
	5: { room_wxid: string; wxid: string; msg: string };
	6: { wxid: string; remark_name: string };
	7: { room_wxid: string; room_nickname: string };
	8: { room_wxid: string };
	9: { file_index: string };
	10: { room_wxid: string; msg: string };
	11: { wxid_from: string; transferid: string };
	12: { wxid_delete: string };
	13: { v1: string; v2: string };
	/** Bitmask: 1 friends, 2 rooms, 4 official accounts. */
	14: { flag_report_contact: number };
	15: { wxid: string };
	16: { wxid: string };
	17: { member_list: string[] };
	18: { room_wxid: string; room_name: string };
	19: { invite_url: string };
	/** 0.4.2: local tags of friends and rooms; `wxid_list` is ignored by op_code 3. */
	100: { tag_name: string; wxid_list: string[]; op_code: TagOpCode };
	/** 0.4.2. */
	101: { old_tag_name: string; new_tag_name: string };
}

/** Task 100: 1 add the wxids to the tag (creating it), 2 remove them from it, 3 delete the tag. */
export type TagOpCode = 1 | 2 | 3;

export type TaskType = keyof TaskDictMap;

export type TaskDict<T extends TaskType> = TaskDictMap[T];

export type WeHubTaskOf<T extends TaskType> = { task_type: T; task_dict: TaskDictMap[T] };

/** `$task`: a union discriminated by `task_type`. */
export type WeHubTask = { [T in TaskType]: WeHubTaskOf<T> }[TaskType];

/* ------------------------------------------------------------------ acks (answers) */

/** Every answer. `ack_type` and `data` are always present; `error_code` 0 = ok. */
export interface WeHubAck<D extends object = Record<string, unknown>> {
	error_code: number;
	error_reason: string;
	ack_type: string;
	data: D;
}

export interface LoginAckData {
	/** md5(wxid#nonce#secret), when the login carried a nonce. */
	signature?: string;
	option?: { flag_report_contact?: number };
	/** 0.4.2+: move to a WebSocket; every later callback comes as a frame on `ws_url`. */
	extension_protocol?: ExtensionProtocol;
}

export interface ExtensionProtocol {
	type: 'websocket';
	param: {
		/** ws:// or wss://, connected to as given. */
		ws_url: string;
		/** Seconds between the client's heartbeat frames. */
		heartbeat_interval: number;
	};
}

/** `{}` when nothing is queued. */
export type PullTaskAckData = { task_id: string; task_data: WeHubTask } | Record<string, never>;

/**
 * report_new_msg / report_new_friend (0.1.5: always present, `[]` without tasks) and any
 * common_ack (later: optional): at most 3 tasks.
 */
export interface ReplyTaskListAckData {
	reply_task_list?: WeHubTask[];
}

/** 0.1.5 answer to report_friend_add_request: op_code 1 accepts. */
export interface FriendAddRequestAckData extends ReplyTaskListAckData {
	op_code?: number;
	v1?: string;
	v2?: string;
}

export interface ReportTaskResultAckData {
	task_id: string;
}

/** The answer on the upload URL (no `data` in the spec; we add `data: {}` for uniformity). */
export interface WeHubUploadAck {
	error_code: number;
	error_reason: string;
	ack_type: 'upload_file_ack';
	file_index: string;
	data: Record<string, never>;
}
