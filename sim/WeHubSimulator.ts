/**
 * A WeHub client that talks to any callback URL: it reports what a logged-in WeChat account
 * would (login, contacts, messages, friend and room events), polls `pull_task`, "executes" each
 * task (recording it, uploading files for task 9, reporting room members for task 4) and answers
 * with `report_task_result`. Every answer is checked as a strict client would; problems are
 * recorded as violations so tests can assert there are none.
 *
 * WebSocket (0.4.2 and later; PROTOCOL.md, "WebSocket transport"): when a login_ack carries
 * `extension_protocol` of type `websocket`, the client opens a socket to its `ws_url`, sends every
 * later callback over it as a frame, sends a heartbeat every `heartbeat_interval` seconds, stops
 * polling and executes the tasks the server pushes (reporting them over the socket). Login stays
 * on HTTP, and so do uploads. When the socket drops it reconnects to the same URL a few times with
 * a short backoff; when the upgrade is refused (401, 403, 404) or every attempt fails, it logs in
 * again over HTTP, which may hand out a new `ws_url`.
 *
 * An independent oracle, on purpose: nothing under sim/ imports `nodes/WeHub/protocol/` (nor any
 * other package code; test/sim/independence.test.ts keeps it so). The simulator reads PROTOCOL.md
 * on its own (signature, client versions, ack types, msg_type table, task shapes), so a misreading
 * in protocol/ shows up as a violation here instead of being shared by both sides. Where the two
 * must agree, they agree by each following PROTOCOL.md, and tests in test/sim pin the reading:
 * - login signature: md5(wxid#nonce#secret) as 32 hex characters, either case (loginSignature
 *   here returns lower case, protocol/'s upper case; both compare case-insensitively).
 * - client versions: "0.3.8.1" (a build number) and "v0.4.26" read as their first three numbers
 *   (clientVersion.ts).
 * - message kinds: the package's names, `mini_program` included (messages.ts; the simulator's
 *   earlier `miniProgram` is still accepted).
 * Deliberate differences (the simulator plays a strict client, protocol/ a lenient server):
 * - the signature is compared as sent: no trimming of surrounding whitespace (protocol/ trims).
 * - a version must have at least three numbers: "0.4" or "0.4.26-beta" are not versions the
 *   simulator can play (protocol/ reads "0.4" as 0.4.0 and ignores any trailing text).
 * - kinds are only those the simulator can send; protocol/'s `unknown` (any other msg_type) has
 *   no builder here.
 */
import { createHash } from 'node:crypto';
import {
	checkAck,
	checkExtensionProtocol,
	checkTask,
	checkUploadAck,
	type Ack,
	type WebSocketOffer,
} from './ackValidation';
import { supports } from './clientVersion';
import {
	buildMessage,
	escapeXml,
	type MessageKindName,
	type MessageOptions,
	type ReportMsgUnit,
} from './messages';
import { fakeMedia, type MediaFile } from './media';
import { buildUploadBody, weHubBoundary } from './multipart';
import {
	generateContacts,
	headImageUrl,
	memberFromUser,
	randomNickname,
	randomRoomWxid,
	randomUser,
	type BotProfile,
	type ContactBook,
	type MemberInfo,
	type UserInfo,
} from './people';
import { Random } from './random';
import { HttpTransport } from './transport';
import { UpgradeRefusedError, WebSocketTransport } from './webSocketTransport';

export interface TaskOutcome {
	success: boolean;
	reason?: string;
}

export interface SimulatorOptions {
	callbackUrl: string;
	/** Where task 9 uploads go; default `<callbackUrl>/upload`. */
	uploadUrl?: string;
	appid: string;
	/** The logged-in account (the bot). */
	wxid: string;
	/** When set, the login answer's signature is checked against md5(wxid#nonce#secret). */
	secretKey?: string;
	/** '0.1.5' (the original document) up to '0.4.26'; default '0.4.26'. */
	clientVersion?: string;
	/** pull_task period; WeHub's minimum is 1 s, its default 5 s. Default 1000 ms. */
	pollIntervalMs?: number;
	/** WeHub's Content-Type is undocumented: default 'application/json'; null sends none. */
	contentType?: string | null;
	nickname?: string;
	/** Seeds generated contacts, ids and messages (reproducible runs). */
	seed?: number;
	/** Throw a ProtocolViolationError on the first violation instead of only recording it. */
	throwOnViolation?: boolean;
	/** Decides each task's result; default: every task succeeds. */
	taskOutcome?: (task: ReceivedTask) => TaskOutcome | Promise<TaskOutcome>;
	/** Answer timeout; WeHub's is 30 s. */
	timeoutMs?: number;
	log?: (line: string) => void;
	/**
	 * Follow a login_ack's `extension_protocol` onto the WebSocket (clients 0.4.2 and later).
	 * Default true; false plays a client that refuses it and keeps polling (`--no-websocket`).
	 */
	webSocket?: boolean;
	/** The heartbeat frame's key: the document's spelling 'atcion' (default) or 'action'. */
	heartbeatKey?: HeartbeatKey;
	/** Heartbeat period instead of the login_ack's `heartbeat_interval` (tests); 0 sends none. */
	heartbeatIntervalMs?: number;
	/**
	 * Waits before each attempt to reopen a dropped socket, jittered down by up to half; after the
	 * last failed attempt (or a refused upgrade) the client logs in again over HTTP.
	 * Default [250, 500, 1000, 2000].
	 */
	reconnectDelaysMs?: number[];
}

export type HeartbeatKey = 'atcion' | 'action';

export interface ReceivedTask {
	/** Present for tasks from pull_task or pushed as pull_task_ack (reported back); absent for reply_task_list tasks. */
	task_id?: string;
	/** `push`: a pull_task_ack frame the server pushed over the WebSocket. */
	source: 'pull_task' | 'push' | 'reply_task_list';
	/** The action whose answer carried the task; `push` for a frame pushed over the WebSocket. */
	via: string;
	task_type: number;
	task_dict: Record<string, unknown>;
	receivedAt: number;
	executedAt?: number;
	result?: { success: boolean; reason: string };
}

export interface Violation {
	at: number;
	action: string;
	problem: string;
	/** The start of the offending answer, when there was one. */
	body?: string;
}

export interface CallResult {
	/** A valid ack with error_code 0. */
	ok: boolean;
	ack?: Ack;
	problems: string[];
	replyTasks: ReceivedTask[];
}

export interface LoginResult extends CallResult {
	/** Why the client would refuse this login (error_code != 0, bad signature, no answer). */
	reason?: string;
}

export interface SimulatorStats {
	requests: number;
	requestsByAction: Record<string, number>;
	acksByType: Record<string, number>;
	/** Valid acks whose error_code was not 0. */
	errorAcks: number;
	tasksReceived: number;
	tasksExecuted: number;
	tasksFailed: number;
	/** pull_task (or a push) handing out a task_id already seen: must stay 0. */
	duplicateTaskIds: number;
	uploads: number;
	latenciesMs: number[];
	/** pull_task requests sent; stays 0 while on the WebSocket, where the server pushes tasks. */
	polls: number;
	/** Frames written to the WebSocket: request frames and heartbeats. */
	framesSent: number;
	heartbeatsSent: number;
	/** Frames the server sent that answer no request: pushed tasks, and stray frames. */
	pushesReceived: number;
	/** Dropped sockets reopened to the same ws_url. */
	reconnects: number;
	/** HTTP logins after a dropped socket could not be reopened (refused upgrade, every attempt failed). */
	fallbackLogins: number;
}

/** The WebSocket this client follows, as `webSocket` shows it. */
export interface WebSocketState extends WebSocketOffer {
	/** Open now; false while reconnecting. */
	connected: boolean;
}

export interface SentText {
	task: ReceivedTask;
	/** The room or person the text goes to (0.1.5: room_wxid, else wxid; later: wxid_to). */
	to: string;
	atList: string[];
	text: string;
}

export class ProtocolViolationError extends Error {
	constructor(readonly violation: Violation) {
		super(`WeHub protocol violation on ${violation.action}: ${violation.problem}`);
		this.name = 'ProtocolViolationError';
	}
}

/** What the simulator knows about a v1 it reported in a friend request. */
export interface FriendRequest {
	v1: string;
	v2: string;
	user: UserInfo;
	notice_word: string;
}

export function loginSignature(wxid: string, nonce: string, secretKey: string): string {
	return createHash('md5').update(`${wxid}#${nonce}#${secretKey}`, 'utf8').digest('hex');
}

const MAX_LATENCY_SAMPLES = 100_000;

export class WeHubSimulator {
	readonly wxid: string;
	readonly appid: string;
	readonly clientVersion: string;
	readonly callbackUrl: string;
	readonly uploadUrl: string;
	readonly profile: BotProfile;
	readonly tasks: ReceivedTask[] = [];
	readonly violations: Violation[] = [];
	readonly friendRequests: FriendRequest[] = [];
	/** 0.1.5 accepts a friend request through `op_code: 1` in the ack; those v1 values land here. */
	readonly acceptedFriendRequests: string[] = [];
	readonly stats: SimulatorStats = {
		requests: 0,
		requestsByAction: {},
		acksByType: {},
		errorAcks: 0,
		tasksReceived: 0,
		tasksExecuted: 0,
		tasksFailed: 0,
		duplicateTaskIds: 0,
		uploads: 0,
		latenciesMs: [],
		polls: 0,
		framesSent: 0,
		heartbeatsSent: 0,
		pushesReceived: 0,
		reconnects: 0,
		fallbackLogins: 0,
	};
	contacts: ContactBook = { friends: [], groups: [], publicAccounts: [], members: new Map() };
	loggedIn = false;

	private readonly options: SimulatorOptions;
	private readonly random: Random;
	private readonly transport: HttpTransport;
	private readonly media = new Map<string, MediaFile>();
	private readonly seenTaskIds = new Set<string>();
	private readonly machineId: string;
	private clientSession = '';
	private polling = false;
	private pollLoop?: Promise<void>;
	private wakePoller?: () => void;
	private pollError?: Error;
	private endPollFor?: () => void;
	/** The login_ack's WebSocket offer this client follows (kept while reconnecting). */
	private offer?: WebSocketOffer;
	private socket?: WebSocketTransport;
	private heartbeat?: NodeJS.Timeout;
	/** A reconnection (and its fallback login) in progress; requests wait for it. */
	private reconnecting?: Promise<void>;
	private wakeBackoff?: () => void;
	/** Pushed frames are handled one at a time, in arrival order. */
	private pushes: Promise<void> = Promise.resolve();
	private readonly pushedTasks: ReceivedTask[] = [];
	private readonly pushWaiters: Array<{
		resolve: (task: ReceivedTask) => void;
		reject: (error: Error) => void;
	}> = [];
	/** A throwOnViolation error raised by a push or a reconnection, rethrown by close(). */
	private backgroundError?: Error;
	private closing = false;

	constructor(options: SimulatorOptions) {
		this.options = options;
		this.wxid = options.wxid;
		this.appid = options.appid;
		this.clientVersion = options.clientVersion ?? '0.4.26';
		this.callbackUrl = options.callbackUrl;
		this.uploadUrl = options.uploadUrl ?? `${options.callbackUrl.replace(/\/+$/, '')}/upload`;
		this.random = new Random(options.seed ?? hashSeed(options.wxid));
		this.transport = new HttpTransport({ timeoutMs: options.timeoutMs });
		this.machineId = this.random.hex(32);
		const nickname = options.nickname ?? randomNickname(this.random);
		this.profile = {
			wxid: this.wxid,
			nickname,
			wx_alias: `${this.random.hex(8)}`,
			head_img: headImageUrl(this.random),
		};
	}

	// ---- requests -------------------------------------------------------------------------

	/** Sends one action and reads its answer; any action name and data may be sent. */
	async request(action: string, data: Record<string, unknown>): Promise<CallResult> {
		const envelope: Record<string, unknown> = { action, appid: this.appid, wxid: this.wxid, data };
		if (supports(this.clientVersion, 'clientSession') && this.clientSession)
			envelope.client_session = this.clientSession;
		this.stats.requests++;
		this.stats.requestsByAction[action] = (this.stats.requestsByAction[action] ?? 0) + 1;
		if (action === 'pull_task') this.stats.polls++;
		// Login always goes over HTTP; everything else over the socket while there is one.
		const socket = action !== 'login' && this.onWebSocket ? await this.currentSocket() : undefined;
		const contentType =
			this.options.contentType === undefined ? 'application/json' : this.options.contentType;
		let answer;
		try {
			if (socket) {
				this.stats.framesSent++;
				answer = { status: 200, ...(await socket.request(envelope)) };
			} else answer = await this.transport.postJson(this.callbackUrl, envelope, contentType);
		} catch (error) {
			const problem = `no answer: ${(error as Error).message}`;
			this.violate(action, problem);
			return { ok: false, problems: [problem], replyTasks: [] };
		}
		this.recordLatency(answer.latencyMs);
		const check = checkAck(action, this.clientVersion, answer.status, answer.body);
		for (const problem of check.problems) this.violate(action, problem, answer.body);
		if (!check.ok) return { ok: false, problems: check.problems, replyTasks: [] };
		const ack = check.ack;
		this.stats.acksByType[ack.ack_type] = (this.stats.acksByType[ack.ack_type] ?? 0) + 1;
		if (ack.error_code !== 0) {
			this.stats.errorAcks++;
			this.log(`${action} answered error_code ${ack.error_code}: ${ack.error_reason}`);
		}
		const replyTasks = await this.takeReplyTasks(action, ack);
		return {
			ok: ack.error_code === 0 && check.problems.length === 0,
			ack,
			problems: check.problems,
			replyTasks,
		};
	}

	/**
	 * Logs in over HTTP (a socket still open closes first: a new login is a new session). When
	 * the answer offers a WebSocket that this client follows, resolves once the socket is open.
	 */
	async login(): Promise<LoginResult> {
		await this.leaveWebSocket();
		this.clientSession = supports(this.clientVersion, 'clientSession')
			? `${this.random.hex(8)}-${this.random.hex(4)}-${this.random.hex(12)}`
			: '';
		const data: Record<string, unknown> = {
			nickname: this.profile.nickname,
			wx_alias: this.profile.wx_alias,
			head_img: this.profile.head_img,
			client_version: this.clientVersion,
		};
		const nonce = supports(this.clientVersion, 'loginNonce')
			? this.random.fromAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 16)
			: undefined;
		if (nonce) data.nonce = nonce;
		if (supports(this.clientVersion, 'localIp'))
			data.local_ip = `192.168.1.${this.random.int(2, 254)}|10.0.75.1`;
		if (supports(this.clientVersion, 'machineId')) data.machine_id = this.machineId;
		const result: LoginResult = await this.request('login', data);
		this.loggedIn = false;
		if (!result.ack) return { ...result, ok: false, reason: result.problems.join('; ') };
		if (result.ack.error_code !== 0)
			return {
				...result,
				ok: false,
				reason: `refused: ${result.ack.error_code} ${result.ack.error_reason}`,
			};
		if (nonce && this.options.secretKey !== undefined) {
			const expected = loginSignature(this.wxid, nonce, this.options.secretKey);
			const given = result.ack.data.signature;
			if (typeof given !== 'string' || given.toLowerCase() !== expected) {
				const problem = `login signature ${JSON.stringify(given)} does not match md5(wxid#nonce#secret) = ${expected}`;
				this.violate('login', problem);
				return { ...result, ok: false, problems: [...result.problems, problem], reason: problem };
			}
		}
		this.loggedIn = result.ok;
		this.log(`logged in as ${this.wxid} (${this.profile.nickname}), client ${this.clientVersion}`);
		if (result.ok && result.ack.data.extension_protocol !== undefined)
			await this.followExtensionProtocol(result.ack.data.extension_protocol);
		return result;
	}

	/** Logs out (over the socket when on one, which then closes). */
	async logout(): Promise<CallResult> {
		const data: Record<string, unknown> = { client_version: this.clientVersion };
		if (supports(this.clientVersion, 'machineId')) data.machine_id = this.machineId;
		// No reconnection once logging out, even if the server closes the socket first.
		this.offer = undefined;
		const result = await this.request('logout', data);
		this.loggedIn = false;
		await this.leaveWebSocket();
		return result;
	}

	/** Generates `friends` friends and `groups` rooms (kept for later messages) and reports them. */
	async reportContact(counts: {
		friends: number;
		groups: number;
		publicAccounts?: number;
	}): Promise<CallResult> {
		this.contacts = generateContacts(counts, this.profile, this.random, this.clientVersion);
		const data: Record<string, unknown> = {
			friend_list: this.contacts.friends,
			group_list: this.contacts.groups,
		};
		if (supports(this.clientVersion, 'richerRooms'))
			data.public_list = this.contacts.publicAccounts;
		return await this.request('report_contact', data);
	}

	/**
	 * Reports one message. Defaults: a private message from a known friend; in a room (`room`), a
	 * message from one of its members other than the bot. `from: <bot wxid>` reports the bot's own.
	 */
	async sendMessage(
		kind: MessageKindName,
		options: MessageOptions = {},
	): Promise<CallResult & { unit: ReportMsgUnit }> {
		const room = options.room ?? '';
		const from = options.from ?? this.defaultSender(room);
		const to = room
			? room
			: from === this.wxid
				? (options.to ?? this.pickFriend().wxid)
				: this.wxid;
		const built = buildMessage(
			kind,
			{ ...options, room, from, to },
			{ version: this.clientVersion, botWxid: this.wxid, random: this.random },
		);
		if (built.media) this.media.set(built.media.fileIndex, built.media.file);
		const result = await this.request('report_new_msg', { msg: built.unit });
		if (from === this.wxid && result.replyTasks.some((task) => task.task_type === 1)) {
			// PROTOCOL.md, "Safety rules": answering the bot's own message with a send task loops.
			this.violate(
				'report_new_msg',
				"answered the bot's own message with a send task (task 1): this loops",
			);
		}
		return { ...result, unit: built.unit };
	}

	/** A stranger asks to be friends; 0.1.5 accepts in the ack (`op_code: 1`), later with task 13. */
	async friendAddRequest(
		options: { nickname?: string; notice_word?: string } = {},
	): Promise<CallResult & { request: FriendRequest }> {
		const user = {
			...randomUser(this.random, this.clientVersion),
			...(options.nickname ? { nickname: options.nickname } : {}),
		};
		const v1 = `v1_${this.random.hex(48)}@stranger`;
		const v2 = `v2_${this.random.hex(48)}@stranger`;
		const notice_word = options.notice_word ?? `我是${user.nickname}`;
		const request: FriendRequest = { v1, v2, user, notice_word };
		this.friendRequests.push(request);
		const raw_msg = `<msg fromusername="${user.wxid}" encryptusername="${v1}" fromnickname="${escapeXml(user.nickname)}" content="${escapeXml(notice_word)}" fullpy="" shortpy="" imagestatus="3" scene="30" country="CN" province="Guangdong" city="Shenzhen" sign="" percard="1" sex="${user.sex ?? 0}" alias="${user.wx_alias}" weibo="" albumflag="0" albumstyle="0" albumbgimgid="" snsflag="1" snsbgimgid="" snsbgobjectid="0" mhash="${this.random.hex(32)}" mfullhash="${this.random.hex(32)}" bigheadimgurl="${user.head_img}" smallheadimgurl="${user.head_img}" ticket="${v2}" opcode="2" googlecontact="" qrticket="" chatroomusername="" sourceusername="" sourcenickname=""><brandlist count="0" ver="${this.random.digits(9)}"></brandlist></msg>`;
		const result = await this.request('report_friend_add_request', {
			v1,
			v2,
			notice_word,
			raw_msg,
		});
		const data = result.ack?.data;
		if (data && data.op_code === 1) {
			if (data.v1 === v1 && data.v2 === v2) this.acceptedFriendRequests.push(v1);
			else this.violate('report_friend_add_request', 'op_code 1 without the v1/v2 of the request');
		}
		return { ...result, request };
	}

	/** Someone became a friend (a request was accepted, or they accepted ours). */
	async newFriend(
		options: { nickname?: string; notice_word?: string; user?: UserInfo } = {},
	): Promise<CallResult & { friend: UserInfo }> {
		const friend = options.user ?? {
			...randomUser(this.random, this.clientVersion),
			...(options.nickname ? { nickname: options.nickname } : {}),
		};
		this.contacts.friends.push(friend);
		const result = await this.request('report_new_friend', {
			fans_wxid: friend.wxid,
			nickname: friend.nickname,
			wx_alias: friend.wx_alias,
			head_img: friend.head_img,
			notice_word: options.notice_word ?? `我是${friend.nickname}`,
			sourceusername: '',
			sourcenickname: '',
		});
		return { ...result, friend };
	}

	/** Members joined (flag 1) or left (flag 0) a room; default: one new stranger joins the first room. */
	async roomMemberChange(
		options: { room?: string; wxids?: string[]; flag?: 0 | 1 } = {},
	): Promise<CallResult> {
		const room = options.room ?? this.pickRoom();
		const flag = options.flag ?? 1;
		const members = this.contacts.members.get(room) ?? [];
		let wxids = options.wxids;
		if (!wxids && flag === 1) {
			const joined = memberFromUser(randomUser(this.random, this.clientVersion), this.random);
			members.push(joined);
			wxids = [joined.wxid];
		}
		if (!wxids)
			wxids = members
				.filter((m) => m.wxid !== this.wxid)
				.slice(-1)
				.map((m) => m.wxid);
		if (flag === 0)
			this.contacts.members.set(
				room,
				members.filter((m) => !wxids.includes(m.wxid)),
			);
		const data: Record<string, unknown> = { room_wxid: room, wxid_list: wxids, flag };
		if (supports(this.clientVersion, 'richerRooms'))
			data.owner_wxid = this.groupOf(room)?.owner_wxid ?? '';
		return await this.request('report_room_member_change', data);
	}

	/** The bot was pulled into (or created) a new room. */
	async newRoom(
		options: { name?: string; memberCount?: number } = {},
	): Promise<CallResult & { room: string }> {
		const room = randomRoomWxid(this.random);
		const users = Array.from({ length: options.memberCount ?? 3 }, () =>
			randomUser(this.random, this.clientVersion),
		);
		const memberInfo_list: MemberInfo[] = [
			this.botMember(),
			...users.map((u) => memberFromUser(u, this.random)),
		];
		const owner_wxid = memberInfo_list[1]?.wxid ?? this.wxid;
		const name = options.name ?? '';
		this.contacts.members.set(room, memberInfo_list);
		this.contacts.groups.push({
			wxid: room,
			name,
			owner_wxid,
			member_count: memberInfo_list.length,
			head_img: headImageUrl(this.random),
			member_wxid_list: memberInfo_list.map((m) => m.wxid),
		});
		const result = await this.request('report_new_room', {
			wxid: room,
			name,
			owner_wxid,
			head_img: headImageUrl(this.random),
			memberInfo_list,
		});
		return { ...result, room };
	}

	/** Reports the members of `rooms` (default: every known room), as task 4 asks. */
	async roomMemberInfo(rooms?: string[]): Promise<CallResult> {
		const room_data_list = (rooms ?? this.contacts.groups.map((g) => g.wxid)).map((room) => {
			let members = this.contacts.members.get(room);
			if (!members) {
				members = [
					this.botMember(),
					...Array.from({ length: 3 }, () =>
						memberFromUser(randomUser(this.random, this.clientVersion), this.random),
					),
				];
				this.contacts.members.set(room, members);
			}
			const entry: Record<string, unknown> = { room_wxid: room, memberInfo_list: members };
			if (supports(this.clientVersion, 'richerRooms')) {
				const group = this.groupOf(room);
				Object.assign(entry, {
					name: group?.name ?? '',
					owner_wxid: group?.owner_wxid ?? '',
					head_img: group?.head_img ?? '',
					member_count: members.length,
				});
			}
			return entry;
		});
		return await this.request('report_room_member_info', { room_data_list });
	}

	/** A friend deleted the bot (0.3.8+). */
	async friendRemoved(wxid: string): Promise<CallResult> {
		this.contacts.friends = this.contacts.friends.filter((f) => f.wxid !== wxid);
		return await this.request('report_friend_removed', { wxid_removed: wxid });
	}

	async reportTaskResult(taskId: string, success: boolean, reason = ''): Promise<CallResult> {
		const result = await this.request('report_task_result', {
			task_id: taskId,
			task_result: success ? 1 : 0,
			error_reason: reason,
		});
		if (result.ack && result.ack.data.task_id !== taskId) {
			const problem = `report_task_result answer does not echo task_id ${JSON.stringify(taskId)} (got ${JSON.stringify(result.ack.data.task_id)})`;
			this.violate('report_task_result', problem);
			return { ...result, ok: false, problems: [...result.problems, problem] };
		}
		return result;
	}

	// ---- polling and tasks ----------------------------------------------------------------

	/**
	 * One `pull_task`; a task it hands out is executed and reported before this returns. Throws on
	 * the WebSocket, where WeHub does not poll (nextPushedTask() waits for a pushed task instead).
	 */
	async pollOnce(): Promise<ReceivedTask | undefined> {
		if (this.onWebSocket)
			throw new Error(
				'pollOnce(): this client is on the WebSocket, where the server pushes tasks and WeHub sends no pull_task; use nextPushedTask()',
			);
		const result = await this.request('pull_task', {});
		const data = result.ack?.data;
		if (!data || Object.keys(data).length === 0) return undefined;
		return await this.takeHandedOutTask('pull_task', data);
	}

	/**
	 * Polls every `pollIntervalMs` until stopPolling(); one request at a time, like WeHub. On the
	 * WebSocket it sends nothing and sets no timer: it waits until stopped or back on HTTP, while
	 * pushed tasks are executed as they come.
	 */
	startPolling(): void {
		if (this.polling) return;
		this.polling = true;
		this.pollLoop = (async () => {
			while (this.polling) {
				if (this.onWebSocket) {
					await new Promise<void>((resolve) => (this.wakePoller = resolve));
					continue;
				}
				try {
					await this.pollOnce();
				} catch (error) {
					// Only throwOnViolation (or a bug) gets here: stop, and let stopPolling() rethrow.
					this.pollError = error as Error;
					this.polling = false;
				}
				if (!this.polling) break;
				await new Promise<void>((resolve) => {
					const timer = setTimeout(resolve, this.options.pollIntervalMs ?? 1000);
					this.wakePoller = () => {
						clearTimeout(timer);
						resolve();
					};
				});
			}
		})();
	}

	/** Stops polling; resolves once the poll in flight (and its task, or a pushed one) has finished. */
	async stopPolling(): Promise<void> {
		this.polling = false;
		this.wakePoller?.();
		this.endPollFor?.();
		await this.pollLoop;
		this.pollLoop = undefined;
		await this.pushes;
		const error = this.pollError;
		this.pollError = undefined;
		if (error) throw error;
	}

	/** Polls for `ms` (ended early by stopPolling()); on the WebSocket, receives pushed tasks for `ms`. */
	async pollFor(ms: number): Promise<void> {
		this.startPolling();
		await new Promise<void>((resolve) => {
			const timer = setTimeout(resolve, ms);
			this.endPollFor = () => {
				clearTimeout(timer);
				resolve();
			};
		});
		this.endPollFor = undefined;
		await this.stopPolling();
	}

	/** Makes the file behind `fileIndex` available to task 9. */
	registerMedia(fileIndex: string, file: MediaFile): void {
		this.media.set(fileIndex, file);
	}

	/** POSTs a file to the upload URL the way WeHub does; true when the answer accepts it. */
	async uploadFile(fileIndex: string): Promise<{ ok: boolean; reason: string }> {
		const file = this.media.get(fileIndex) ?? fakeMedia('image', this.random);
		const boundary = weHubBoundary(this.random);
		const { contentType, body } = buildUploadBody(fileIndex, file, boundary);
		this.stats.requests++;
		this.stats.requestsByAction.upload = (this.stats.requestsByAction.upload ?? 0) + 1;
		let answer;
		try {
			answer = await this.transport.post(
				this.uploadUrl,
				body,
				{ 'Content-Type': contentType, 'MIME-Version': '1.0' },
				// No keep-alive pool kept per bot while on the socket.
				{ oneShot: this.socket !== undefined },
			);
		} catch (error) {
			const problem = `no answer to upload: ${(error as Error).message}`;
			this.violate('upload', problem);
			return { ok: false, reason: problem };
		}
		this.recordLatency(answer.latencyMs);
		const check = checkUploadAck(fileIndex, answer.status, answer.body);
		for (const problem of check.problems) this.violate('upload', problem, answer.body);
		if (!check.ok || check.problems.length > 0)
			return { ok: false, reason: check.problems.join('; ') };
		this.stats.acksByType.upload_file_ack = (this.stats.acksByType.upload_file_ack ?? 0) + 1;
		if (check.ack.error_code !== 0)
			return { ok: false, reason: `upload refused: ${check.ack.error_reason}` };
		this.stats.uploads++;
		return { ok: true, reason: '' };
	}

	/** Task 1 texts received so far, with their target, for assertions like "pong sent once to X". */
	sentTexts(): SentText[] {
		return this.tasks
			.filter((task) => task.task_type === 1)
			.flatMap((task) => {
				const dict = task.task_dict;
				const to =
					typeof dict.wxid_to === 'string' && dict.wxid_to
						? dict.wxid_to
						: String(dict.room_wxid || dict.wxid || '');
				const atList = Array.isArray(dict.at_list)
					? dict.at_list.map(String)
					: dict.room_wxid && dict.wxid
						? [String(dict.wxid)]
						: [];
				const units = Array.isArray(dict.msg_list)
					? (dict.msg_list as Array<Record<string, unknown>>)
					: [];
				return units
					.filter((unit) => unit.msg_type === 1)
					.map((unit) => ({ task, to, atList, text: String(unit.msg) }));
			});
	}

	summary() {
		const sorted = [...this.stats.latenciesMs].sort((a, b) => a - b);
		const at = (q: number) =>
			sorted.length
				? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10
				: 0;
		return {
			wxid: this.wxid,
			clientVersion: this.clientVersion,
			loggedIn: this.loggedIn,
			requests: this.stats.requests,
			acksByType: { ...this.stats.acksByType },
			errorAcks: this.stats.errorAcks,
			tasksReceived: this.stats.tasksReceived,
			tasksExecuted: this.stats.tasksExecuted,
			tasksFailed: this.stats.tasksFailed,
			duplicateTaskIds: this.stats.duplicateTaskIds,
			uploads: this.stats.uploads,
			violations: this.violations.length,
			transport: this.onWebSocket ? 'websocket' : 'http',
			polls: this.stats.polls,
			framesSent: this.stats.framesSent,
			heartbeatsSent: this.stats.heartbeatsSent,
			pushesReceived: this.stats.pushesReceived,
			reconnects: this.stats.reconnects,
			fallbackLogins: this.stats.fallbackLogins,
			latencyMs: {
				p50: at(0.5),
				p95: at(0.95),
				max: sorted.length ? Math.round(sorted[sorted.length - 1] * 10) / 10 : 0,
			},
		};
	}

	/**
	 * Stops polling, lets pushed tasks in hand finish, closes the WebSocket (code 1000) and the
	 * HTTP connections. Rethrows a throwOnViolation error raised while polling or by a push.
	 */
	async close(): Promise<void> {
		this.closing = true;
		this.wakeBackoff?.();
		try {
			await this.stopPolling();
		} finally {
			await this.reconnecting;
			await this.pushes;
			await this.leaveWebSocket();
			this.transport.close();
			this.closing = false;
		}
		const error = this.backgroundError;
		this.backgroundError = undefined;
		if (error) throw error;
	}

	// ---- WebSocket ------------------------------------------------------------------------

	/** The WebSocket this client follows, or undefined while it talks HTTP. */
	get webSocket(): WebSocketState | undefined {
		if (!this.offer || !this.onWebSocket) return undefined;
		return { ...this.offer, connected: this.socket?.isOpen ?? false };
	}

	/**
	 * The next task the server pushed over the WebSocket (a pull_task_ack frame, or a
	 * reply_task_list in a common_ack frame), once executed and, with a task_id, reported. Tasks
	 * are handed out in arrival order, each once; one pushed before this call is returned at once.
	 */
	async nextPushedTask(timeoutMs = 5000): Promise<ReceivedTask> {
		const ready = this.pushedTasks.shift();
		if (ready) return ready;
		if (this.backgroundError) throw this.backgroundError;
		return await new Promise<ReceivedTask>((resolve, reject) => {
			const settle = (error?: Error, task?: ReceivedTask) => {
				clearTimeout(timer);
				this.pushWaiters.splice(this.pushWaiters.indexOf(waiter), 1);
				if (error) reject(error);
				else resolve(task as ReceivedTask);
			};
			const waiter = {
				resolve: (task: ReceivedTask) => settle(undefined, task),
				reject: (error: Error) => settle(error),
			};
			const timer = setTimeout(
				() => settle(new Error(`${this.wxid}: no task pushed within ${timeoutMs} ms`)),
				timeoutMs,
			);
			this.pushWaiters.push(waiter);
		});
	}

	/** Sends one heartbeat frame now; false when there is no open socket. */
	sendHeartbeat(): boolean {
		const key: HeartbeatKey = this.options.heartbeatKey ?? 'atcion';
		const frame = { [key]: 'heartbeat', appid: this.appid, wxid: this.wxid, data: {} };
		if (!this.socket?.send(frame)) return false;
		this.stats.framesSent++;
		this.stats.heartbeatsSent++;
		return true;
	}

	// ---- internals ------------------------------------------------------------------------

	/** A task handed out in the pull_task_ack format, polled or pushed: checked, executed, reported. */
	private async takeHandedOutTask(
		source: 'pull_task' | 'push',
		data: Record<string, unknown>,
	): Promise<ReceivedTask | undefined> {
		if (typeof data.task_id !== 'string' || data.task_id === '') {
			this.violate(
				source,
				`task_id is ${JSON.stringify(data.task_id)}, expected a non-empty string`,
			);
			return undefined;
		}
		const problems = checkTask(data.task_data, this.clientVersion);
		for (const problem of problems) this.violate(source, problem);
		if (problems.length > 0) {
			await this.reportTaskResult(data.task_id, false, problems.join('; '));
			return undefined;
		}
		if (this.seenTaskIds.has(data.task_id)) {
			this.stats.duplicateTaskIds++;
			this.violate(source, `task_id ${data.task_id} was handed out before`);
		}
		this.seenTaskIds.add(data.task_id);
		const task = this.receive(
			data.task_data as { task_type: number; task_dict: Record<string, unknown> },
			source,
			source,
			data.task_id,
		);
		await this.execute(task);
		await this.reportTaskResult(
			data.task_id,
			task.result?.success ?? false,
			task.result?.reason ?? '',
		);
		return task;
	}

	/** Reads a login_ack's extension_protocol; opens the socket when this client follows it. */
	private async followExtensionProtocol(extension: unknown): Promise<void> {
		if (!supports(this.clientVersion, 'webSocket')) return; // older clients ignore it
		const { offer, problems } = checkExtensionProtocol(extension);
		for (const problem of problems) this.violate('login', problem);
		if (!offer) return;
		if (this.options.webSocket === false) {
			this.log(`login_ack offers the WebSocket ${offer.url}: refused, staying on HTTP`);
			return;
		}
		if (this.closing) return;
		this.offer = offer;
		try {
			await this.openSocket(offer);
		} catch (error) {
			this.offer = undefined;
			this.violate(
				'login',
				`cannot open the WebSocket ${offer.url} that login_ack handed out: ${(error as Error).message}; staying on HTTP`,
			);
		}
	}

	private async openSocket(offer: WebSocketOffer): Promise<void> {
		const socket = await WebSocketTransport.connect(
			offer.url,
			{
				onPush: (body, binary) => this.pushed(body, binary),
				onClose: (closed, code, reason) => this.socketClosed(closed, code, reason),
			},
			{ timeoutMs: this.options.timeoutMs },
		);
		if (this.offer !== offer || this.closing) {
			// A new login or close() came first: this socket is no longer wanted.
			await socket.close();
			throw new Error('superseded by a new login or close()');
		}
		this.socket = socket;
		const every = this.options.heartbeatIntervalMs ?? offer.heartbeatIntervalMs;
		if (every > 0) {
			this.heartbeat = setInterval(() => this.sendHeartbeat(), every);
			this.heartbeat.unref();
		}
		// Nothing is POSTed while on the socket: the login's kept-alive connection goes.
		this.transport.closeIdle();
		this.wakePoller?.();
		this.log(`on the WebSocket ${offer.url}, heartbeat every ${every / 1000} s`);
	}

	/** Closes the socket on purpose (a new login, logout, close()); no reconnection follows. */
	private async leaveWebSocket(): Promise<void> {
		const socket = this.socket;
		this.offer = undefined;
		this.socket = undefined;
		clearInterval(this.heartbeat);
		this.heartbeat = undefined;
		if (socket) await socket.close(1000);
		this.wakePoller?.();
	}

	/** Requests wait for a reconnection in progress, then go over the socket if there is one again. */
	private async currentSocket(): Promise<WebSocketTransport | undefined> {
		while (this.reconnecting) await this.reconnecting;
		return this.socket;
	}

	/** On the WebSocket: connected, or reconnecting to it (requests wait for the socket). */
	private get onWebSocket(): boolean {
		return this.socket !== undefined || this.reconnecting !== undefined;
	}

	private socketClosed(socket: WebSocketTransport, code: number, reason: string): void {
		if (this.socket !== socket) return;
		this.socket = undefined;
		clearInterval(this.heartbeat);
		this.heartbeat = undefined;
		const offer = this.offer;
		this.log(`the WebSocket closed (code ${code}${reason ? `: ${reason}` : ''})`);
		if (!offer || this.closing) return;
		const reconnecting: Promise<void> = this.reconnect(offer)
			.catch((error: Error) => this.failInBackground(error))
			.finally(() => {
				// A socket opened by this reconnection may already have dropped and started the next.
				if (this.reconnecting === reconnecting) this.reconnecting = undefined;
				this.wakePoller?.();
			});
		this.reconnecting = reconnecting;
	}

	/** Reopens the same ws_url with a short backoff; else (or when refused) a new HTTP login. */
	private async reconnect(offer: WebSocketOffer): Promise<void> {
		for (const delay of this.options.reconnectDelaysMs ?? [250, 500, 1000, 2000]) {
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, delay * (0.5 + Math.random() / 2));
				this.wakeBackoff = () => {
					clearTimeout(timer);
					resolve();
				};
			});
			if (this.closing || this.offer !== offer) return;
			try {
				await this.openSocket(offer);
				this.stats.reconnects++;
				this.log(`reconnected to ${offer.url}`);
				return;
			} catch (error) {
				this.log(`reconnecting to ${offer.url} failed: ${(error as Error).message}`);
				if (this.closing || this.offer !== offer) return;
				if (error instanceof UpgradeRefusedError && [401, 403, 404].includes(error.status)) break;
			}
		}
		if (this.closing || this.offer !== offer) return;
		this.stats.fallbackLogins++;
		this.log('giving up on the WebSocket: logging in again over HTTP');
		const login = await this.login();
		if (!login.ok)
			this.log(`the fallback login failed: ${login.reason ?? login.problems.join('; ')}`);
	}

	private pushed(body: string, binary: boolean): void {
		this.stats.pushesReceived++;
		if (this.closing) {
			this.log('a frame pushed while closing: ignored');
			return;
		}
		this.pushes = this.pushes
			.then(async () => await this.takePush(body, binary))
			.catch((error: Error) => this.failInBackground(error));
	}

	/** One frame the server sent unasked: checked like a polled answer, its tasks executed. */
	private async takePush(body: string, binary: boolean): Promise<void> {
		if (binary) {
			this.violate('push', 'a binary frame: WeHub reads text frames only');
			return;
		}
		let ackType: unknown;
		try {
			ackType = (JSON.parse(body) as { ack_type?: unknown } | null)?.ack_type;
		} catch {
			// checkAck below names the problem.
		}
		const polled = ackType === 'pull_task_ack';
		if (ackType !== undefined && !polled && ackType !== 'common_ack') {
			this.violate(
				'push',
				`a ${JSON.stringify(ackType)} frame that answers no request (pushes are pull_task_ack or common_ack frames)`,
				body,
			);
			return;
		}
		const check = checkAck(polled ? 'pull_task' : 'push', this.clientVersion, 200, body);
		for (const problem of check.problems) this.violate('push', problem, body);
		if (!check.ok) return;
		const ack = check.ack;
		if (ack.error_code !== 0) {
			this.stats.errorAcks++;
			this.log(`a pushed ${ack.ack_type} with error_code ${ack.error_code}: ${ack.error_reason}`);
		}
		if (polled) {
			if (Object.keys(ack.data).length === 0) {
				this.violate('push', 'a pushed pull_task_ack without a task', body);
				return;
			}
			const task = await this.takeHandedOutTask('push', ack.data);
			if (task) this.deliverPushed(task);
			return;
		}
		if (ack.data.reply_task_list === undefined) {
			this.violate(
				'push',
				'a common_ack frame that answers no request and carries no reply_task_list',
				body,
			);
			return;
		}
		for (const task of await this.takeReplyTasks('push', ack)) this.deliverPushed(task);
	}

	private deliverPushed(task: ReceivedTask): void {
		const waiter = this.pushWaiters[0];
		if (waiter) waiter.resolve(task);
		else this.pushedTasks.push(task);
	}

	/** A throwOnViolation error from a push or a reconnection: kept for close(), and waiters fail. */
	private failInBackground(error: Error): void {
		this.backgroundError ??= error;
		for (const waiter of [...this.pushWaiters]) waiter.reject(error);
	}

	private async takeReplyTasks(action: string, ack: Ack): Promise<ReceivedTask[]> {
		// 0.1.5 reads reply_task_list only in these two answers; later clients in any common_ack.
		const reads = supports(this.clientVersion, 'commonAck')
			? ack.ack_type === 'common_ack'
			: action === 'report_new_msg' || action === 'report_new_friend';
		const list = ack.data.reply_task_list;
		if (!reads || list === undefined) return [];
		if (!Array.isArray(list)) {
			this.violate(action, 'reply_task_list is not an array');
			return [];
		}
		if (list.length > 3)
			this.violate(action, `reply_task_list holds ${list.length} tasks, at most 3 are allowed`);
		const received: ReceivedTask[] = [];
		for (const raw of list) {
			const problems = checkTask(raw, this.clientVersion);
			for (const problem of problems) this.violate(action, `reply_task_list: ${problem}`);
			if (problems.length > 0) continue;
			const task = this.receive(
				raw as { task_type: number; task_dict: Record<string, unknown> },
				'reply_task_list',
				action,
			);
			await this.execute(task);
			received.push(task);
		}
		return received;
	}

	private receive(
		raw: { task_type: number; task_dict: Record<string, unknown> },
		source: ReceivedTask['source'],
		via: string,
		taskId?: string,
	): ReceivedTask {
		const task: ReceivedTask = {
			...(taskId ? { task_id: taskId } : {}),
			source,
			via,
			task_type: raw.task_type,
			task_dict: raw.task_dict,
			receivedAt: Date.now(),
		};
		this.tasks.push(task);
		this.stats.tasksReceived++;
		this.log(
			`task ${task.task_type}${taskId ? ` (${taskId})` : ''} via ${via}: ${JSON.stringify(task.task_dict).slice(0, 160)}`,
		);
		return task;
	}

	private async execute(task: ReceivedTask): Promise<void> {
		let outcome: TaskOutcome = this.options.taskOutcome
			? await this.options.taskOutcome(task)
			: { success: true };
		if (outcome.success && task.task_type === 9) {
			const upload = await this.uploadFile(String(task.task_dict.file_index));
			outcome = { success: upload.ok, reason: upload.reason };
		} else if (outcome.success && task.task_type === 4) {
			const rooms = (task.task_dict.room_wxid_list as unknown[]).map(String);
			const answer = await this.roomMemberInfo(rooms);
			outcome = {
				success: answer.ok,
				reason: answer.ok
					? ''
					: answer.problems.join('; ') || String(answer.ack?.error_reason ?? ''),
			};
		}
		task.executedAt = Date.now();
		task.result = {
			success: outcome.success,
			reason: outcome.success ? '' : (outcome.reason ?? 'failed'),
		};
		this.stats.tasksExecuted++;
		if (!outcome.success) this.stats.tasksFailed++;
	}

	private violate(action: string, problem: string, body?: string): void {
		const violation: Violation = {
			at: Date.now(),
			action,
			problem,
			...(body !== undefined ? { body: body.slice(0, 500) } : {}),
		};
		this.violations.push(violation);
		this.log(`VIOLATION ${action}: ${problem}`);
		if (this.options.throwOnViolation) throw new ProtocolViolationError(violation);
	}

	private recordLatency(ms: number): void {
		if (this.stats.latenciesMs.length < MAX_LATENCY_SAMPLES) this.stats.latenciesMs.push(ms);
	}

	private log(line: string): void {
		this.options.log?.(`[${this.wxid}] ${line}`);
	}

	private botMember(): MemberInfo {
		return {
			wxid: this.wxid,
			wx_alias: this.profile.wx_alias,
			nickname: this.profile.nickname,
			room_nickname: '',
			head_img: this.profile.head_img,
		};
	}

	private groupOf(room: string) {
		return this.contacts.groups.find((group) => group.wxid === room);
	}

	private pickRoom(): string {
		if (this.contacts.groups.length === 0)
			throw new Error('no known room: call reportContact() or newRoom() first, or pass a room');
		return this.contacts.groups[0].wxid;
	}

	private pickFriend(): UserInfo {
		if (this.contacts.friends.length === 0)
			this.contacts.friends.push(randomUser(this.random, this.clientVersion));
		return this.random.pick(this.contacts.friends);
	}

	private defaultSender(room: string): string {
		if (!room) return this.pickFriend().wxid;
		const others = (this.contacts.members.get(room) ?? []).filter(
			(member) => member.wxid !== this.wxid,
		);
		return others.length > 0
			? this.random.pick(others).wxid
			: randomUser(this.random, this.clientVersion).wxid;
	}
}

/** A stable seed per bot wxid, so each bot of a run differs but reruns are identical. */
function hashSeed(text: string): number {
	return createHash('md5').update(text).digest().readUInt32LE(0);
}
