import { STORE_LIMIT_DEFAULTS } from '../defaults';
import type { WeHubTask } from '../protocol/types';

/**
 * The task store: where "a node queued a task" meets "WeHub pulled it". The trigger (answering
 * WeHub) and the action node (queuing tasks) may run in different workflows, processes or hosts;
 * every backend must pass test/store/contract.ts.
 */

/** A logged-in WeChat account ("bot"), namespaced by the WeHub appid it talks through. */
export interface BotRef {
	appid: string;
	wxid: string;
}

export type TaskState =
	'queued' | 'handed_out' | 'done' | 'failed' | 'lost' | 'expired' | 'cancelled';

/** States a task never leaves. */
export const FINISHED_STATES: readonly TaskState[] = [
	'done',
	'failed',
	'lost',
	'expired',
	'cancelled',
];

export interface TaskRecord {
	task_id: string;
	appid: string;
	bot_wxid: string;
	task: WeHubTask;
	state: TaskState;
	/** Epoch milliseconds, like every time in the store. */
	created_at: number;
	not_before?: number;
	expires_at?: number;
	handed_out_at?: number;
	finished_at?: number;
	/** Set by `complete`: WeHub's task_result (1 = success). */
	success?: boolean;
	error_reason?: string;
	/** Free-form context from whoever queued the task (workflow, execution, source message). */
	meta?: Record<string, unknown>;
	/** The enqueue's idempotency key, when it had one. */
	idempotency_key?: string;
}

export interface EnqueueOptions {
	notBefore?: number;
	expiresAt?: number;
	meta?: Record<string, unknown>;
	/**
	 * Queues the task only once per key (per appid, for as long as the task is retained): a
	 * second enqueue with the same key returns the task the first one queued, `existing: true`.
	 * A replayed workflow execution sends nothing twice this way.
	 */
	idempotencyKey?: string;
	/** The enqueue time recorded as created_at (defaults to the clock; tests pass a fake one). */
	now?: number;
}

export interface EnqueueResult extends TaskRecord {
	/** 1-based place in the bot's queue right after enqueueing; 0 when `existing` and not queued. */
	position: number;
	/** The key was known: nothing was queued, this is the task queued with it before. */
	existing?: boolean;
}

/**
 * An event acknowledged to WeHub whose workflow execution has not ended yet (the inbox): the
 * trigger's items, kept until the execution ends, so that a process dying in between loses
 * nothing. `holder` leases it: while the lease runs, nobody else delivers it.
 */
export interface InboxEntry {
	id: string;
	appid: string;
	/** The trigger that received it: `<workflow id>/<node name>`. */
	owner: string;
	bot_wxid: string;
	/** The trigger's items, as emitted (JSON). */
	items: Array<Record<string, unknown>>;
	/** An upload's file, for `file_uploaded` items. */
	upload?: { file_index: string; file_name: string; mime_type: string; data: Buffer };
	received_at: number;
	holder: string;
	lease_until: number;
	/** Executions started for it so far (1 after the first delivery, 2 after a replay, ...). */
	attempts: number;
}

export type NewInboxEntry = Omit<InboxEntry, 'attempts'>;

export interface BotPresence {
	appid: string;
	wxid: string;
	online: boolean;
	nickname?: string;
	wx_alias?: string;
	client_version?: string;
	/**
	 * What the client is at least, inferred from fields only later clients send, when it never
	 * said its `client_version` to this store (it logged in before the trigger existed).
	 */
	min_client_version?: string;
	login_at?: number;
	logout_at?: number;
	last_poll_at?: number;
	/** The bot's WebSocket was alive then (0.4.2+ clients that do not poll; stamped on connect and at most every 5 min). */
	last_heartbeat_at?: number;
	/** Tasks in state `queued` right now. */
	queue_depth: number;
}

export interface LoginInfo {
	nickname?: string;
	wx_alias?: string;
	head_img?: string;
	client_version?: string;
	machine_id?: string;
}

/** What a file_index refers to, so an upload can be matched with the message it came from. */
export interface FileRecord {
	appid: string;
	bot_wxid: string;
	file_index: string;
	/** `reported`: seen in a message; `requested`: a task 9 asked for it; `uploaded`: the file arrived. */
	state: 'reported' | 'requested' | 'uploaded';
	kind?: string;
	msg_type?: number;
	msg_id?: string;
	room_wxid?: string;
	from_wxid?: string;
	reported_at: number;
	uploaded_at?: number;
}

export interface FileUploadMark {
	file: FileRecord;
	/** The file was already uploaded before this call. */
	repeated: boolean;
}

export interface FriendRequestRecord {
	appid: string;
	bot_wxid: string;
	requester_wxid: string;
	v1: string;
	v2: string;
	notice_word?: string;
	nickname?: string;
	received_at: number;
}

/** A file the action node keeps so WeHub can download it from the trigger's media URL. */
export interface MediaRecord {
	id: string;
	appid: string;
	mime_type: string;
	file_name: string;
	data: Buffer;
	created_at: number;
	expires_at: number;
}

export interface StoreLimits {
	/** Per bot and per calendar day (UTC), by task_type; a capped task stays queued until tomorrow. */
	dailyCaps: Partial<Record<number, number>>;
	/** Minimum time between two tasks handed to one bot (anti-ban pacing); 0 = none. */
	minIntervalMs: number;
	/** A handed-out task without report_task_result after this long becomes `lost`. */
	lostAfterMs: number;
	/**
	 * Finished tasks, file and friend-request records, and bots nobody has heard from (no login,
	 * logout, poll or report) are removed after this long.
	 */
	retainFinishedMs: number;
}

export const DEFAULT_LIMITS: StoreLimits = STORE_LIMIT_DEFAULTS;

export interface PollResult {
	task: TaskRecord | null;
	bot: BotPresence;
}

export interface TaskStore {
	readonly backend: 'embedded' | 'redis';

	enqueue(bot: BotRef, task: WeHubTask, options?: EnqueueOptions): Promise<EnqueueResult>;
	/**
	 * Atomically moves the oldest eligible queued task of the bot to `handed_out` and returns it.
	 * Two concurrent calls never return the same task. Tasks held back by not_before, a daily cap
	 * or pacing stay queued; expired ones become `expired`.
	 */
	handOut(bot: BotRef, now?: number): Promise<TaskRecord | null>;
	/** The pull_task hot path in one round trip: records the poll, hands out, returns presence. */
	poll(bot: BotRef, now?: number): Promise<PollResult>;
	/** `done` or `failed`; null for an unknown task_id. A finished task is returned unchanged. */
	complete(
		appid: string,
		taskId: string,
		success: boolean,
		errorReason?: string,
		now?: number,
	): Promise<TaskRecord | null>;
	/** Cancels a queued task; any other state is returned unchanged. Null for an unknown id. */
	cancel(appid: string, taskId: string): Promise<TaskRecord | null>;
	get(appid: string, taskId: string): Promise<TaskRecord | null>;
	/** Oldest first: every task of the bot (in `state`, when given), or the first `limit` of them. */
	list(bot: BotRef, state?: TaskState, limit?: number): Promise<TaskRecord[]>;
	/** Resolves with the record once it is finished, or with its current state at the timeout. */
	waitForResult(appid: string, taskId: string, timeoutMs: number): Promise<TaskRecord | null>;
	/**
	 * Housekeeping: handed_out -> lost, queued past expiry -> expired, old records removed (bots
	 * too, once unheard for retainFinishedMs: up to an hour later than that, never earlier).
	 */
	sweep(now?: number): Promise<{ lost: number; expired: number; removed: number }>;

	recordLogin(bot: BotRef, info: LoginInfo, now?: number): Promise<BotPresence>;
	recordLogout(bot: BotRef, now?: number): Promise<BotPresence>;
	/**
	 * Remembers that the bot runs at least `version` (see BotPresence.min_client_version). A bot
	 * never seen is registered as online: it is reporting right now.
	 */
	recordMinClientVersion(bot: BotRef, version: string, now?: number): Promise<BotPresence>;
	/** A heartbeat on the bot's WebSocket: online, last_heartbeat_at stamped. */
	recordHeartbeat(bot: BotRef, now?: number): Promise<void>;
	/** The bot's WebSocket closed or missed two heartbeats: offline until it is heard again. */
	recordSocketClosed(bot: BotRef, now?: number): Promise<void>;
	getBot(bot: BotRef): Promise<BotPresence | null>;
	listBots(appid: string): Promise<BotPresence[]>;

	/**
	 * Calls `listener` whenever a task is queued: with the bot for tasks queued through this store
	 * (in this process, or in another one when the backend can tell), or with no bot when tasks
	 * may have been queued elsewhere for any bot (look at the bots you care about). For pushing
	 * tasks to connected bots; returns the function that stops the calls.
	 */
	watchQueued(listener: (bot?: BotRef) => void): () => void;

	rememberFile(record: FileRecord): Promise<void>;
	/** Every file of one callback in one write (one transaction, one round trip). */
	rememberFiles(records: readonly FileRecord[]): Promise<void>;
	getFile(appid: string, fileIndex: string): Promise<FileRecord | null>;
	/**
	 * Marks a known file uploaded, atomically: `repeated` says it already was (the same file_index
	 * uploaded again), and the record is then returned unchanged. Null for an unknown file.
	 */
	markFileUploaded(appid: string, fileIndex: string, now?: number): Promise<FileUploadMark | null>;

	rememberFriendRequest(record: FriendRequestRecord): Promise<void>;
	getFriendRequest(bot: BotRef, requesterWxid: string): Promise<FriendRequestRecord | null>;

	/**
	 * Keeps an event until its execution has ended. Refused ('full') when the owner already keeps
	 * `maxEntries`: an acknowledgement must never promise more than the store holds.
	 */
	inboxPut(entry: NewInboxEntry, maxEntries: number): Promise<'stored' | 'full'>;
	/** The execution of the entry ended (success or error): forget it. */
	inboxDone(appid: string, id: string): Promise<void>;
	/** Extends the leases of entries this holder is delivering (their executions still run). */
	inboxRenew(appid: string, ids: string[], holder: string, leaseUntil: number): Promise<void>;
	/**
	 * Takes over, oldest first, up to `limit` entries of `owner` whose lease ran out (their
	 * process died before the execution ended): leased to `holder`, attempts counted. Two callers
	 * never take the same entry. Entries received before `dropBefore` are removed instead.
	 */
	inboxClaimExpired(
		appid: string,
		owner: string,
		holder: string,
		leaseUntil: number,
		limit: number,
		now?: number,
		dropBefore?: number,
	): Promise<{ claimed: InboxEntry[]; dropped: number }>;
	/** Entries of the appid (every owner), oldest first, without their upload bytes. */
	inboxList(appid: string, limit?: number): Promise<InboxEntry[]>;

	putMedia(record: MediaRecord): Promise<void>;
	/** Null once expired. */
	getMedia(id: string, now?: number): Promise<MediaRecord | null>;

	/** Small per-appid settings shared across processes, e.g. the trigger's public media URL. */
	putSetting(appid: string, key: string, value: string): Promise<void>;
	getSetting(appid: string, key: string): Promise<string | null>;

	close(): Promise<void>;
}
