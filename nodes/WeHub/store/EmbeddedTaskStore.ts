import { EventEmitter } from 'events';
import { open, type Database, type DatabaseOptions, type Key, type RootDatabase } from 'lmdb';
import type { WeHubTask } from '../protocol/types';
import { dailyCapFor, resolveLimits, utcDay } from './limits';
import { newTaskRecord } from './newTaskRecord';
import { QueuedWatch, type QueuedEntry } from './queuedWatch';
import { startSweeping } from './sweepTimer';
import { waitUntilFinished } from './waitUntilFinished';
import {
	type BotPresence,
	type BotRef,
	type EnqueueOptions,
	type EnqueueResult,
	type FileRecord,
	type FileUploadMark,
	type FriendRequestRecord,
	type InboxEntry,
	type NewInboxEntry,
	type LoginInfo,
	type MediaRecord,
	type PollResult,
	type StoreLimits,
	type TaskRecord,
	type TaskState,
	type TaskStore,
} from './TaskStore';

export interface EmbeddedTaskStoreOptions {
	/** The folder holding the LMDB files (created when missing). */
	path: string;
	limits?: Partial<StoreLimits>;
	/** Run `sweep` this often in the background; 0 turns it off (tests with a fake clock). */
	sweepEveryMs?: number;
}

/**
 * Presence as stored: everything but the computed queue depth, plus `heard_at`, the last time the
 * bot was heard from (login, logout, poll, report), which the sweep goes by.
 */
type StoredPresence = Omit<BotPresence, 'queue_depth'> & {
	head_img?: string;
	machine_id?: string;
	heard_at?: number;
};

/** Sorts after every task id, file index and wxid in a key range. */
const HIGH = '\uffff';
const SWEEP_BATCH = 1_000;
const QUEUED_SEQ = ['queued_seq'];
/** Watchers read the queued-task log within a second; it is trimmed after ten minutes. */
const QUEUED_LOG_KEEP_MS = 10 * 60_000;
/**
 * A bot's place in the retention index moves in steps of this: a poll every second rewrites the
 * index entry once an hour, not every time (the poll stays four writes). The key holds the end of
 * the hour the bot was last heard in, so it is removed up to an hour late, never early.
 */
const HEARD_STEP_MS = 3_600_000;

/**
 * The task store for one host: LMDB in a folder, shared safely by every process that opens it.
 * Each state change runs in one LMDB write transaction (serialized across processes), batched
 * with the other changes of the same event-loop turn, and its promise resolves once that commit
 * is flushed to disk.
 *
 * Sub-databases: `tasks` [appid, task_id] -> record; `byBot` [appid, wxid, task_id] (every task);
 * `queue` [appid, wxid, task_id] (queued tasks, FIFO because ids sort by creation); `handed`
 * [handed_out_at, appid, task_id]; `expiring` [expires_at, appid, task_id] (queued only);
 * `retention` [kind, time, ...key] (finished tasks, files, friend requests, media);
 * `counters` depth / daily caps / last hand-out per bot; plus `bots`, `files`, `friends`,
 * `media`, `settings`.
 */
export class EmbeddedTaskStore implements TaskStore {
	readonly backend = 'embedded' as const;
	readonly limits: StoreLimits;

	private readonly root: RootDatabase;
	private readonly tasks: Database<TaskRecord, Key>;
	private readonly byBot: Database<null, Key>;
	private readonly queue: Database<null, Key>;
	private readonly handed: Database<null, Key>;
	private readonly expiring: Database<null, Key>;
	private readonly retention: Database<null, Key>;
	private readonly counters: Database<number, Key>;
	private readonly bots: Database<StoredPresence, Key>;
	private readonly files: Database<FileRecord, Key>;
	private readonly friends: Database<FriendRequestRecord, Key>;
	private readonly media: Database<MediaRecord, Key>;
	private readonly settings: Database<string, Key>;
	private readonly queuedLog: Database<QueuedEntry, Key>;
	private readonly idempotency: Database<string, Key>;
	private readonly inbox: Database<InboxEntry, Key>;
	private readonly inboxOrder: Database<null, Key>;
	private readonly finished = new EventEmitter();
	private readonly queuedWatch = new QueuedWatch(this);
	private readonly stopSweeping: () => void;
	private closed = false;

	constructor(options: EmbeddedTaskStoreOptions) {
		this.limits = resolveLimits(options.limits);
		this.root = open({ path: options.path, maxDbs: 24, overlappingSync: true });
		// Values are msgpack maps: lmdb's default msgpack "records" repeat their structure definition
		// in every value unless structures are shared through the database, which costs a third
		// more CPU per call here; maps are as compact and self-describing.
		const db = <V>(name: string) => {
			// msgpackr's option, passed through by lmdb (its types leave it out).
			const options: DatabaseOptions & { name: string; useRecords: boolean } = {
				name,
				useRecords: false,
			};
			return this.root.openDB<V, Key>(options);
		};
		this.tasks = db('tasks');
		this.byBot = db('byBot');
		this.queue = db('queue');
		this.handed = db('handed');
		this.expiring = db('expiring');
		this.retention = db('retention');
		this.counters = db('counters');
		this.bots = db('bots');
		this.files = db('files');
		this.friends = db('friends');
		this.media = db('media');
		this.settings = db('settings');
		this.queuedLog = db('queuedLog');
		this.idempotency = db('idempotency');
		this.inbox = db('inbox');
		this.inboxOrder = db('inboxOrder');
		this.finished.setMaxListeners(0);
		this.stopSweeping = startSweeping(() => this.sweep(), options.sweepEveryMs);
	}

	/* ------------------------------------------------------------------ tasks */

	async enqueue(
		bot: BotRef,
		task: WeHubTask,
		options: EnqueueOptions = {},
	): Promise<EnqueueResult> {
		const record = newTaskRecord(bot, task, options);
		const key = options.idempotencyKey;
		const result = await this.root.transaction(
			(): { existing: EnqueueResult } | { position: number; seq: number } => {
				if (key !== undefined) {
					const known = this.existingInTxn(bot.appid, key);
					if (known) return { existing: known };
					this.idempotency.putSync([bot.appid, key], record.task_id);
				}
				this.tasks.putSync([bot.appid, record.task_id], record);
				this.byBot.putSync([bot.appid, bot.wxid, record.task_id], null);
				this.queue.putSync([bot.appid, bot.wxid, record.task_id], null);
				if (record.expires_at !== undefined) {
					this.expiring.putSync([record.expires_at, bot.appid, record.task_id], null);
				}
				return {
					position: this.addDepth(bot, 1),
					seq: this.logQueuedInTxn(bot, record.created_at),
				};
			},
		);
		if ('existing' in result) return result.existing;
		this.queuedWatch.queuedHere(bot, result.seq);
		return { ...record, position: result.position };
	}

	handOut(bot: BotRef, now: number = Date.now()): Promise<TaskRecord | null> {
		return this.root.transaction(() => this.handOutInTxn(bot, now));
	}

	poll(bot: BotRef, now: number = Date.now()): Promise<PollResult> {
		return this.root.transaction(() => {
			this.updatePresenceInTxn(bot, now, (s) => ({ ...s, online: true, last_poll_at: now }), true);
			const task = this.handOutInTxn(bot, now);
			return { task, bot: this.presenceInTxn(bot) as BotPresence };
		});
	}

	complete(
		appid: string,
		taskId: string,
		success: boolean,
		errorReason?: string,
		now: number = Date.now(),
	): Promise<TaskRecord | null> {
		return this.root.transaction(() => {
			const record = this.tasks.get([appid, taskId]);
			if (!record || record.state !== 'handed_out') return record ?? null;
			if (now - (record.handed_out_at ?? now) > this.limits.lostAfterMs) {
				return this.finishInTxn(record, 'lost', now);
			}
			return this.finishInTxn(record, success ? 'done' : 'failed', now, {
				success,
				...(errorReason ? { error_reason: errorReason } : {}),
			});
		});
	}

	cancel(appid: string, taskId: string): Promise<TaskRecord | null> {
		return this.root.transaction(() => {
			const record = this.tasks.get([appid, taskId]);
			if (!record || record.state !== 'queued') return record ?? null;
			return this.finishInTxn(record, 'cancelled', Date.now());
		});
	}

	async get(appid: string, taskId: string): Promise<TaskRecord | null> {
		return this.tasks.get([appid, taskId]) ?? null;
	}

	async list(bot: BotRef, state?: TaskState, limit = Infinity): Promise<TaskRecord[]> {
		const index = state === 'queued' ? this.queue : this.byBot;
		const result: TaskRecord[] = [];
		for (const key of index.getKeys(this.botRange(bot))) {
			const record = this.tasks.get([bot.appid, (key as string[])[2]]);
			if (!record || (state && record.state !== state)) continue;
			result.push(record);
			if (result.length >= limit) break;
		}
		return result;
	}

	waitForResult(appid: string, taskId: string, timeoutMs: number): Promise<TaskRecord | null> {
		return waitUntilFinished(() => this.get(appid, taskId), this.finished, taskId, timeoutMs, 100);
	}

	async sweep(
		now: number = Date.now(),
	): Promise<{ lost: number; expired: number; removed: number }> {
		const counts = { lost: 0, expired: 0, removed: 0 };
		// Bounded batches keep each write transaction (and the lock other processes wait on) short.
		for (;;) {
			const batch = await this.root.transaction(() => this.sweepBatchInTxn(now));
			counts.lost += batch.lost;
			counts.expired += batch.expired;
			counts.removed += batch.removed;
			if (!batch.more) return counts;
		}
	}

	/* ------------------------------------------------------------------ presence */

	recordLogin(bot: BotRef, info: LoginInfo, now: number = Date.now()): Promise<BotPresence> {
		return this.updatePresence(bot, now, (stored) => ({
			...stored,
			...definedFields(info),
			online: true,
			login_at: now,
		}));
	}

	recordLogout(bot: BotRef, now: number = Date.now()): Promise<BotPresence> {
		return this.updatePresence(bot, now, (stored) => ({
			...stored,
			online: false,
			logout_at: now,
		}));
	}

	recordMinClientVersion(
		bot: BotRef,
		version: string,
		now: number = Date.now(),
	): Promise<BotPresence> {
		return this.updatePresence(
			bot,
			now,
			(stored) => ({ ...stored, min_client_version: version }),
			true,
		);
	}

	async recordHeartbeat(bot: BotRef, now: number = Date.now()): Promise<void> {
		await this.updatePresence(
			bot,
			now,
			(stored) => ({ ...stored, online: true, last_heartbeat_at: now }),
			true,
		);
	}

	async recordSocketClosed(bot: BotRef, now: number = Date.now()): Promise<void> {
		await this.updatePresence(bot, now, (stored) => ({ ...stored, online: false }));
	}

	async getBot(bot: BotRef): Promise<BotPresence | null> {
		return this.presenceInTxn(bot);
	}

	watchQueued(listener: (bot?: BotRef) => void): () => void {
		return this.queuedWatch.add(listener);
	}

	/** The queued-task log after `afterSeq`, read by `watchQueued` for other processes' enqueues. */
	queuedSince(
		afterSeq: number,
		limit: number,
	): { seq: number; entries: Array<[number, QueuedEntry]> } {
		const seq = this.counters.get(QUEUED_SEQ) ?? 0;
		const entries: Array<[number, QueuedEntry]> = [];
		if (seq <= afterSeq || limit === 0) return { seq, entries };
		const range = { start: afterSeq + 1, end: seq + 1, limit };
		for (const { key, value } of this.queuedLog.getRange(range))
			entries.push([key as number, value]);
		return { seq, entries };
	}

	async listBots(appid: string): Promise<BotPresence[]> {
		const result: BotPresence[] = [];
		for (const key of this.bots.getKeys({ start: [appid], end: [appid, HIGH] })) {
			const presence = this.presenceInTxn({ appid, wxid: (key as string[])[1] });
			if (presence) result.push(presence);
		}
		return result;
	}

	/* ------------------------------------------------------------------ registries */

	async rememberFile(record: FileRecord): Promise<void> {
		await this.rememberFiles([record]);
	}

	async rememberFiles(records: readonly FileRecord[]): Promise<void> {
		if (records.length === 0) return;
		await this.root.transaction(() => {
			for (const record of records) {
				const previous = this.files.get([record.appid, record.file_index]);
				if (previous) this.retention.removeSync(fileRetentionKey(previous));
				this.files.putSync([record.appid, record.file_index], record);
				this.retention.putSync(fileRetentionKey(record), null);
			}
		});
	}

	async getFile(appid: string, fileIndex: string): Promise<FileRecord | null> {
		return this.files.get([appid, fileIndex]) ?? null;
	}

	markFileUploaded(
		appid: string,
		fileIndex: string,
		now: number = Date.now(),
	): Promise<FileUploadMark | null> {
		return this.root.transaction(() => {
			const previous = this.files.get([appid, fileIndex]);
			if (!previous) return null;
			if (previous.state === 'uploaded') return { file: previous, repeated: true };
			const record: FileRecord = { ...previous, state: 'uploaded', uploaded_at: now };
			this.retention.removeSync(fileRetentionKey(previous));
			this.files.putSync([appid, fileIndex], record);
			this.retention.putSync(fileRetentionKey(record), null);
			return { file: record, repeated: false };
		});
	}

	async rememberFriendRequest(record: FriendRequestRecord): Promise<void> {
		const key = [record.appid, record.bot_wxid, record.requester_wxid];
		await this.root.transaction(() => {
			const previous = this.friends.get(key);
			if (previous) this.retention.removeSync(['friend', previous.received_at, ...key]);
			this.friends.putSync(key, record);
			this.retention.putSync(['friend', record.received_at, ...key], null);
		});
	}

	async getFriendRequest(bot: BotRef, requesterWxid: string): Promise<FriendRequestRecord | null> {
		return this.friends.get([bot.appid, bot.wxid, requesterWxid]) ?? null;
	}

	/* ------------------------------------------------------------------ inbox */

	async inboxPut(entry: NewInboxEntry, maxEntries: number): Promise<'stored' | 'full'> {
		return await this.root.transaction(() => {
			const countKey = ['inbox', entry.appid, entry.owner];
			const count = this.counters.get(countKey) ?? 0;
			if (count >= maxEntries) return 'full';
			this.counters.putSync(countKey, count + 1);
			this.inbox.putSync([entry.appid, entry.id], { ...entry, attempts: 1 });
			this.inboxOrder.putSync([entry.appid, entry.owner, entry.received_at, entry.id], null);
			return 'stored';
		});
	}

	async inboxDone(appid: string, id: string): Promise<void> {
		await this.root.transaction(() => this.removeInboxInTxn(appid, id));
	}

	async inboxRenew(
		appid: string,
		ids: string[],
		holder: string,
		leaseUntil: number,
	): Promise<void> {
		if (ids.length === 0) return;
		await this.root.transaction(() => {
			for (const id of ids) {
				const entry = this.inbox.get([appid, id]);
				if (entry?.holder === holder) {
					this.inbox.putSync([appid, id], { ...entry, lease_until: leaseUntil });
				}
			}
		});
	}

	async inboxClaimExpired(
		appid: string,
		owner: string,
		holder: string,
		leaseUntil: number,
		limit: number,
		now: number = Date.now(),
		dropBefore = -Infinity,
	): Promise<{ claimed: InboxEntry[]; dropped: number }> {
		return await this.root.transaction(() => {
			const claimed: InboxEntry[] = [];
			let dropped = 0;
			const range = { start: [appid, owner], end: [appid, owner, HIGH] };
			for (const key of this.inboxOrder.getKeys(range)) {
				if (claimed.length >= limit) break;
				const [, , receivedAt, id] = key as [string, string, number, string];
				const entry = this.inbox.get([appid, id]);
				if (!entry || receivedAt < dropBefore) {
					this.removeInboxInTxn(appid, id, receivedAt, owner);
					dropped += entry ? 1 : 0;
					continue;
				}
				if (entry.lease_until > now) continue;
				const taken: InboxEntry = {
					...entry,
					holder,
					lease_until: leaseUntil,
					attempts: entry.attempts + 1,
				};
				this.inbox.putSync([appid, id], taken);
				claimed.push({ ...taken, ...(taken.upload && { upload: withBuffer(taken.upload) }) });
			}
			return { claimed, dropped };
		});
	}

	async inboxList(appid: string, limit = Infinity): Promise<InboxEntry[]> {
		const entries: InboxEntry[] = [];
		for (const key of this.inboxOrder.getKeys({ start: [appid], end: [appid, HIGH] })) {
			const entry = this.inbox.get([appid, (key as unknown[])[3] as string]);
			if (entry) entries.push(withoutUploadBytes(entry));
		}
		return entries.sort((a, b) => a.received_at - b.received_at).slice(0, limit);
	}

	async putMedia(record: MediaRecord): Promise<void> {
		await this.root.transaction(() => {
			const previous = this.media.get(record.id);
			if (previous) this.retention.removeSync(['media', previous.expires_at, previous.id]);
			this.media.putSync(record.id, record);
			this.retention.putSync(['media', record.expires_at, record.id], null);
		});
	}

	async getMedia(id: string, now: number = Date.now()): Promise<MediaRecord | null> {
		const record = this.media.get(id);
		if (!record || record.expires_at <= now) return null;
		return { ...record, data: Buffer.from(record.data) };
	}

	async putSetting(appid: string, key: string, value: string): Promise<void> {
		await this.settings.put([appid, key], value);
	}

	async getSetting(appid: string, key: string): Promise<string | null> {
		return this.settings.get([appid, key]) ?? null;
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.stopSweeping();
		this.queuedWatch.stop();
		await this.root.close();
	}

	/* ------------------------------------------------------------------ inside a write transaction */

	/** The task an idempotency key queued, while it is retained. */
	private existingInTxn(appid: string, key: string): EnqueueResult | undefined {
		const taskId = this.idempotency.get([appid, key]);
		const record = taskId === undefined ? undefined : this.tasks.get([appid, taskId]);
		if (!record) return undefined;
		let position = 0;
		if (record.state === 'queued') {
			for (const queued of this.queue.getKeys(this.botRange({ appid, wxid: record.bot_wxid }))) {
				position += 1;
				if ((queued as string[])[2] === record.task_id) break;
			}
		}
		return { ...record, position, existing: true };
	}

	private removeInboxInTxn(appid: string, id: string, receivedAt?: number, owner?: string): void {
		const entry = this.inbox.get([appid, id]);
		const entryOwner = owner ?? entry?.owner;
		const at = receivedAt ?? entry?.received_at;
		if (entryOwner !== undefined && at !== undefined) {
			this.inboxOrder.removeSync([appid, entryOwner, at, id]);
		}
		if (!entry) return;
		this.inbox.removeSync([appid, id]);
		const countKey = ['inbox', appid, entry.owner];
		this.counters.putSync(countKey, Math.max(0, (this.counters.get(countKey) ?? 1) - 1));
	}

	/** Numbers each enqueue in a log other processes read to wake their connected bots. */
	private logQueuedInTxn(bot: BotRef, at: number): number {
		const seq = (this.counters.get(QUEUED_SEQ) ?? 0) + 1;
		this.counters.putSync(QUEUED_SEQ, seq);
		this.queuedLog.putSync(seq, { appid: bot.appid, wxid: bot.wxid, at });
		return seq;
	}

	/**
	 * The hot path. The queue index is ordered per bot, so this is a range read from the oldest
	 * task; cap counters are kept for capped task types only and the pacing stamp only when pacing
	 * is on, so an ordinary hand-out is four writes.
	 */
	private handOutInTxn(bot: BotRef, now: number): TaskRecord | null {
		const paced = this.limits.minIntervalMs > 0;
		const pacedKey = ['paced', bot.appid, bot.wxid];
		if (paced) {
			const last = this.counters.get(pacedKey);
			if (last !== undefined && now - last < this.limits.minIntervalMs) return null;
		}
		const day = utcDay(now);
		for (const key of this.queue.getKeys(this.botRange(bot))) {
			const record = this.tasks.get([bot.appid, (key as string[])[2]]);
			if (!record) continue;
			if (record.expires_at !== undefined && record.expires_at <= now) {
				this.finishInTxn(record, 'expired', now);
				continue;
			}
			if (record.not_before !== undefined && record.not_before > now) continue;
			const cap = dailyCapFor(this.limits, record.task.task_type);
			if (cap !== undefined) {
				const capKey = ['cap', bot.appid, bot.wxid, day, record.task.task_type];
				const used = this.counters.get(capKey) ?? 0;
				if (used >= cap) continue;
				this.counters.putSync(capKey, used + 1);
			}
			if (paced) this.counters.putSync(pacedKey, now);
			this.leaveQueueInTxn(record);
			const handedOut: TaskRecord = { ...record, state: 'handed_out', handed_out_at: now };
			this.tasks.putSync([record.appid, record.task_id], handedOut);
			this.handed.putSync([now, record.appid, record.task_id], null);
			return handedOut;
		}
		return null;
	}

	/** Moves a task to a finished state and schedules its removal. */
	private finishInTxn(
		record: TaskRecord,
		state: TaskState,
		now: number,
		extra: Partial<TaskRecord> = {},
	): TaskRecord {
		if (record.state === 'queued') this.leaveQueueInTxn(record);
		if (record.state === 'handed_out') {
			this.handed.removeSync([record.handed_out_at ?? 0, record.appid, record.task_id]);
		}
		const finished: TaskRecord = { ...record, ...extra, state, finished_at: now };
		this.tasks.putSync([record.appid, record.task_id], finished);
		this.retention.putSync(['task', now, record.appid, record.task_id], null);
		// Waiters in this process learn of it at once; others see it on their next read.
		setImmediate(() => this.finished.emit(record.task_id));
		return finished;
	}

	private leaveQueueInTxn(record: TaskRecord): void {
		this.queue.removeSync([record.appid, record.bot_wxid, record.task_id]);
		if (record.expires_at !== undefined) {
			this.expiring.removeSync([record.expires_at, record.appid, record.task_id]);
		}
		this.addDepth({ appid: record.appid, wxid: record.bot_wxid }, -1);
	}

	/**
	 * A counter changed in the same transaction as the queue index, so it never drifts from it;
	 * counting the index instead would cost ~75 µs per 1,000 queued tasks on every poll.
	 */
	private addDepth(bot: BotRef, delta: number): number {
		const key = ['depth', bot.appid, bot.wxid];
		const depth = Math.max(0, (this.counters.get(key) ?? 0) + delta);
		this.counters.putSync(key, depth);
		return depth;
	}

	private botRange(bot: BotRef) {
		return { start: [bot.appid, bot.wxid], end: [bot.appid, bot.wxid, HIGH] };
	}

	private presenceInTxn(bot: BotRef): BotPresence | null {
		const stored = this.bots.get([bot.appid, bot.wxid]);
		if (!stored) return null;
		const { head_img: _head, machine_id: _machine, heard_at: _heard, ...presence } = stored;
		return { ...presence, queue_depth: this.counters.get(['depth', bot.appid, bot.wxid]) ?? 0 };
	}

	/** `onlineWhenNew`: a bot first heard of through this change counts as online. */
	private async updatePresence(
		bot: BotRef,
		now: number,
		change: (stored: StoredPresence) => StoredPresence,
		onlineWhenNew = false,
	): Promise<BotPresence> {
		return this.root.transaction(() => {
			this.updatePresenceInTxn(bot, now, change, onlineWhenNew);
			return this.presenceInTxn(bot) as BotPresence;
		});
	}

	/** Every presence write: the change, the time the bot was heard, and its retention entry. */
	private updatePresenceInTxn(
		bot: BotRef,
		now: number,
		change: (stored: StoredPresence) => StoredPresence,
		onlineWhenNew: boolean,
	): void {
		const previous = this.bots.get([bot.appid, bot.wxid]);
		this.moveHeardInTxn(bot, previous, now);
		const stored = previous ?? { appid: bot.appid, wxid: bot.wxid, online: onlineWhenNew };
		this.bots.putSync([bot.appid, bot.wxid], { ...change(stored), heard_at: now });
	}

	/** Keeps the bot's retention entry at the hour it was last heard in (see HEARD_STEP_MS). */
	private moveHeardInTxn(bot: BotRef, stored: StoredPresence | undefined, now: number): void {
		const step = heardStep(now);
		const previous = stored?.heard_at === undefined ? undefined : heardStep(stored.heard_at);
		if (previous === step) return;
		if (previous !== undefined) this.retention.removeSync(['bot', previous, bot.appid, bot.wxid]);
		this.retention.putSync(['bot', step, bot.appid, bot.wxid], null);
	}

	private sweepBatchInTxn(now: number) {
		const batch = { lost: 0, expired: 0, removed: 0, more: false };
		let budget = SWEEP_BATCH;
		const lostBefore = now - this.limits.lostAfterMs;
		for (const key of this.handed.getKeys({ end: [lostBefore] })) {
			if (--budget < 0) return { ...batch, more: true };
			const [handedAt, appid, taskId] = key as [number, string, string];
			const record = this.tasks.get([appid, taskId]);
			if (record?.state === 'handed_out') {
				this.finishInTxn(record, 'lost', now);
				batch.lost++;
			} else {
				this.handed.removeSync([handedAt, appid, taskId]);
			}
		}
		for (const key of this.expiring.getKeys({ end: [now, HIGH] })) {
			if (--budget < 0) return { ...batch, more: true };
			const [expiresAt, appid, taskId] = key as [number, string, string];
			const record = this.tasks.get([appid, taskId]);
			if (record?.state === 'queued') {
				this.finishInTxn(record, 'expired', now);
				batch.expired++;
			} else {
				this.expiring.removeSync([expiresAt, appid, taskId]);
			}
		}
		for (const { key, value } of this.queuedLog.getRange({ limit: budget + 1 })) {
			if (value.at >= now - QUEUED_LOG_KEEP_MS) break;
			if (--budget < 0) return { ...batch, more: true };
			this.queuedLog.removeSync(key);
		}
		const removeBefore = now - this.limits.retainFinishedMs;
		for (const kind of ['task', 'file', 'friend', 'media', 'bot'] as const) {
			const until = kind === 'media' ? now : removeBefore;
			for (const key of this.retention.getKeys({ start: [kind], end: [kind, until, HIGH] })) {
				if (--budget < 0) return { ...batch, more: true };
				this.removeRetainedInTxn(key as unknown[]);
				batch.removed++;
			}
		}
		return batch;
	}

	private removeRetainedInTxn(key: unknown[]): void {
		this.retention.removeSync(key as Key);
		const [kind, , ...rest] = key as [string, number, ...string[]];
		if (kind === 'task') {
			const [appid, taskId] = rest;
			const record = this.tasks.get([appid, taskId]);
			this.tasks.removeSync([appid, taskId]);
			if (record) this.byBot.removeSync([appid, record.bot_wxid, taskId]);
			if (record?.idempotency_key !== undefined) {
				this.idempotency.removeSync([appid, record.idempotency_key]);
			}
		} else if (kind === 'file') {
			this.files.removeSync(rest);
		} else if (kind === 'friend') {
			this.friends.removeSync(rest);
		} else if (kind === 'bot') {
			// Only a bot still last heard in that hour: a later poll has moved its entry on.
			const [, step] = key as [string, number];
			const stored = this.bots.get(rest);
			if (stored?.heard_at !== undefined && heardStep(stored.heard_at) === step) {
				this.bots.removeSync(rest);
				this.counters.removeSync(['paced', ...rest]);
			}
		} else {
			this.media.removeSync(rest[0]);
		}
	}
}

/** The end of the HEARD_STEP_MS step `time` falls in. */
function heardStep(time: number): number {
	return (Math.floor(time / HEARD_STEP_MS) + 1) * HEARD_STEP_MS;
}

function fileRetentionKey(record: FileRecord): Key {
	return ['file', record.uploaded_at ?? record.reported_at, record.appid, record.file_index];
}

function definedFields<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function withBuffer(upload: NonNullable<InboxEntry['upload']>): NonNullable<InboxEntry['upload']> {
	return { ...upload, data: Buffer.from(upload.data) };
}

function withoutUploadBytes(entry: InboxEntry): InboxEntry {
	if (!entry.upload) return entry;
	return { ...entry, upload: { ...entry.upload, data: Buffer.alloc(0) } };
}
