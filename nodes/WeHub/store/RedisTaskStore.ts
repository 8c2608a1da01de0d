import { EventEmitter } from 'events';
import Redis, { type Result } from 'ioredis';
import type { WeHubTask } from '../protocol/types';
import { resolveLimits } from './limits';
import {
	CANCEL,
	COMPLETE,
	ENQUEUE,
	HAND_OUT,
	INBOX_CLAIM,
	INBOX_DONE,
	INBOX_PUT,
	INBOX_RENEW,
	MARK_FILE_UPLOADED,
	POLL,
	SWEEP,
	SWEEP_BOTS,
	SWEEP_MEDIA,
	TOUCH_BOT,
} from './redisScripts';
import {
	fileFromHash,
	friendRequestFromHash,
	pairsToObject,
	presenceFromReply,
	taskFromHash,
	toPairs,
} from './redisRecords';
import type { RedisStoreConfig } from './StoreConfig';
import { inboxFromPairs } from './redisInbox';
import { newTaskRecord } from './newTaskRecord';
import type {
	BotPresence,
	BotRef,
	EnqueueOptions,
	EnqueueResult,
	FileRecord,
	FileUploadMark,
	FriendRequestRecord,
	InboxEntry,
	LoginInfo,
	NewInboxEntry,
	MediaRecord,
	PollResult,
	StoreLimits,
	TaskRecord,
	TaskState,
	TaskStore,
} from './TaskStore';
import { startSweeping } from './sweepTimer';
import { waitUntilFinished } from './waitUntilFinished';

type ScriptCall = (...args: Array<string | number>) => Result<unknown, never>;

interface StoreScripts {
	wehubEnqueue: ScriptCall;
	wehubHandOut: ScriptCall;
	wehubPoll: ScriptCall;
	wehubComplete: ScriptCall;
	wehubCancel: ScriptCall;
	wehubTouchBot: ScriptCall;
	wehubMarkFileUploaded: ScriptCall;
	wehubSweep: ScriptCall;
	wehubSweepBots: ScriptCall;
	wehubSweepMedia: ScriptCall;
	wehubInboxPut: ScriptCall;
	wehubInboxDone: ScriptCall;
	wehubInboxRenew: ScriptCall;
	wehubInboxClaim: ScriptCall;
	wehubInboxClaimBuffer: ScriptCall;
}

export interface RedisTaskStoreOptions {
	/** Run `sweep` this often in the background; 0 turns it off (tests with a fake clock). */
	sweepEveryMs?: number;
}

/** Queued tasks a hand-out looks at before giving up (tasks held back by a daily cap are skipped). */
const SCAN_LIMIT = 200;
const SWEEP_BATCH = 500;
const FILES_PER_TRANSACTION = 500;
const WAIT_POLL_MS = 200;

/**
 * The task store shared by every process and host that reaches one Redis: n8n in queue mode,
 * several n8n instances, or a WeHub fleet. Every state change is one Lua script (EVALSHA through
 * ioredis, which reloads scripts after a Redis restart); `poll` is one round trip.
 */
export class RedisTaskStore implements TaskStore {
	readonly backend = 'redis' as const;
	readonly limits: StoreLimits;
	readonly redis: Redis;

	private readonly prefix: string;
	private readonly scripts: StoreScripts;
	private readonly capsArg: string;
	private readonly finished = new EventEmitter();
	private readonly stopSweeping: () => void;
	private readonly queuedListeners = new Set<(bot?: BotRef) => void>();
	private subscriber?: Redis;
	private closed = false;

	constructor(config: RedisStoreConfig, options: RedisTaskStoreOptions = {}) {
		this.limits = resolveLimits(config.limits);
		this.prefix = config.keyPrefix ?? 'wehub:';
		this.capsArg = Object.entries(this.limits.dailyCaps)
			.filter(([, cap]) => cap !== undefined && cap !== null && cap >= 0)
			.map(([taskType, cap]) => `${taskType}:${cap}`)
			.join(',');
		this.redis = new Redis({
			host: config.host,
			port: config.port,
			username: config.username || undefined,
			password: config.password || undefined,
			db: config.database ?? 0,
			tls: config.tls ? {} : undefined,
			// Reconnect for ever, backing off to 2 s; a command waits through about 10 attempts
			// (~13 s, inside WeHub's 30 s timeout) before it fails instead of hanging.
			retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
			maxRetriesPerRequest: 10,
		});
		// Without a listener ioredis prints every connection error; commands still report them.
		this.redis.on('error', () => undefined);
		const define = (name: keyof StoreScripts, lua: string) =>
			this.redis.defineCommand(name, { numberOfKeys: 0, lua });
		define('wehubEnqueue', ENQUEUE);
		define('wehubHandOut', HAND_OUT);
		define('wehubPoll', POLL);
		define('wehubComplete', COMPLETE);
		define('wehubCancel', CANCEL);
		define('wehubTouchBot', TOUCH_BOT);
		define('wehubMarkFileUploaded', MARK_FILE_UPLOADED);
		define('wehubSweep', SWEEP);
		define('wehubSweepBots', SWEEP_BOTS);
		define('wehubSweepMedia', SWEEP_MEDIA);
		define('wehubInboxPut', INBOX_PUT);
		define('wehubInboxDone', INBOX_DONE);
		define('wehubInboxRenew', INBOX_RENEW);
		// ioredis adds a `...Buffer` variant of every defined command: the claim reads raw bytes.
		define('wehubInboxClaim', INBOX_CLAIM);
		this.scripts = this.redis as unknown as StoreScripts;
		this.finished.setMaxListeners(0);
		this.stopSweeping = startSweeping(() => this.sweep(), options.sweepEveryMs);
	}

	/** Keys of one appid start here. */
	private base(appid: string): string {
		return `${this.prefix}${appid}:`;
	}

	/* ------------------------------------------------------------------ tasks */

	async enqueue(
		bot: BotRef,
		task: WeHubTask,
		options: EnqueueOptions = {},
	): Promise<EnqueueResult> {
		const record = newTaskRecord(bot, task, options);
		// Resolves only on Redis's reply: with appendfsync always, after the write is on disk.
		const reply = await this.scripts.wehubEnqueue(
			this.prefix,
			this.base(bot.appid),
			bot.appid,
			bot.wxid,
			record.task_id,
			record.created_at,
			record.not_before ?? '',
			record.expires_at ?? '',
			JSON.stringify(task),
			record.meta === undefined ? '' : JSON.stringify(record.meta),
			task.task_type,
			options.idempotencyKey ?? '',
		);
		if (Array.isArray(reply)) return await this.existingTask(bot, String(reply[1]));
		// This store's own watchers learn at once; the published message may echo it (harmless).
		if (this.queuedListeners.size > 0) this.announceQueued(bot);
		return { ...record, position: Number(reply) };
	}

	/**
	 * The task an idempotency key queued before, with its place among all the bot's queued tasks
	 * (held back by not_before or due) while queued, as enqueue answers it.
	 */
	private async existingTask(bot: BotRef, taskId: string): Promise<EnqueueResult> {
		const [record, queued] = await Promise.all([
			this.get(bot.appid, taskId),
			this.queuedIdsInOrder(this.base(bot.appid), bot.wxid),
		]);
		if (!record) throw new Error(`task ${taskId} vanished while being read`);
		const position = record.state === 'queued' ? queued.indexOf(taskId) + 1 : 0;
		return { ...record, position, existing: true };
	}

	async handOut(bot: BotRef, now: number = Date.now()): Promise<TaskRecord | null> {
		const reply = await this.scripts.wehubHandOut(
			this.base(bot.appid),
			bot.wxid,
			now,
			this.limits.minIntervalMs,
			SCAN_LIMIT,
			this.capsArg,
		);
		return this.taskFromReply(reply);
	}

	async poll(bot: BotRef, now: number = Date.now()): Promise<PollResult> {
		const [task, presence] = (await this.scripts.wehubPoll(
			this.prefix,
			this.base(bot.appid),
			bot.appid,
			bot.wxid,
			now,
			this.limits.minIntervalMs,
			SCAN_LIMIT,
			this.capsArg,
		)) as [unknown, unknown];
		return { task: this.taskFromReply(task), bot: presenceFromReply(presence) as BotPresence };
	}

	async complete(
		appid: string,
		taskId: string,
		success: boolean,
		errorReason?: string,
		now: number = Date.now(),
	): Promise<TaskRecord | null> {
		const reply = await this.scripts.wehubComplete(
			this.base(appid),
			taskId,
			success ? '1' : '0',
			errorReason ?? '',
			now,
			this.limits.lostAfterMs,
		);
		return this.announce(this.taskFromReply(reply));
	}

	async cancel(appid: string, taskId: string): Promise<TaskRecord | null> {
		const reply = await this.scripts.wehubCancel(this.base(appid), taskId, Date.now());
		return this.announce(this.taskFromReply(reply));
	}

	async get(appid: string, taskId: string): Promise<TaskRecord | null> {
		const hash = await this.redis.hgetall(`${this.base(appid)}t:${taskId}`);
		return Object.keys(hash).length === 0 ? null : taskFromHash(hash, taskId);
	}

	async list(bot: BotRef, state?: TaskState, limit = Infinity): Promise<TaskRecord[]> {
		const base = this.base(bot.appid);
		const index = state === 'queued' ? `q:${bot.wxid}` : `bybot:${bot.wxid}`;
		const result: TaskRecord[] = [];
		// Queued tasks held back by not_before wait in d:<wxid>; merge them in by sequence.
		const ids =
			state === 'queued'
				? await this.queuedIdsInOrder(base, bot.wxid)
				: await this.redis.zrange(`${base}${index}`, 0, -1);
		for (let start = 0; start < ids.length && result.length < limit; start += 100) {
			const pipeline = this.redis.pipeline();
			const chunk = ids.slice(start, start + 100);
			for (const id of chunk) pipeline.hgetall(`${base}t:${id}`);
			const replies = (await pipeline.exec()) ?? [];
			replies.forEach(([error, hash], i) => {
				if (error) throw error;
				const fields = hash as Record<string, string>;
				if (Object.keys(fields).length === 0) return;
				const record = taskFromHash(fields, chunk[i]);
				if ((!state || record.state === state) && result.length < limit) result.push(record);
			});
		}
		return result;
	}

	waitForResult(appid: string, taskId: string, timeoutMs: number): Promise<TaskRecord | null> {
		return waitUntilFinished(
			() => this.get(appid, taskId),
			this.finished,
			taskId,
			timeoutMs,
			WAIT_POLL_MS,
		);
	}

	async sweep(
		now: number = Date.now(),
	): Promise<{ lost: number; expired: number; removed: number }> {
		const counts = { lost: 0, expired: 0, removed: 0 };
		for (const appid of await this.redis.smembers(`${this.prefix}appids`)) {
			for (;;) {
				const [lost, expired, removed, more] = (await this.scripts.wehubSweep(
					this.base(appid),
					now,
					this.limits.lostAfterMs,
					this.limits.retainFinishedMs,
					SWEEP_BATCH,
				)) as number[];
				counts.lost += lost;
				counts.expired += expired;
				counts.removed += removed;
				if (!more) break;
			}
			counts.removed += await this.sweepBots(appid, now - this.limits.retainFinishedMs);
		}
		for (;;) {
			const removed = Number(await this.scripts.wehubSweepMedia(this.prefix, now, SWEEP_BATCH));
			counts.removed += removed;
			if (removed < SWEEP_BATCH) return counts;
		}
	}

	/** Bots unheard since `until`, one SSCAN step per script call. */
	private async sweepBots(appid: string, until: number): Promise<number> {
		let removed = 0;
		let cursor = '0';
		do {
			const reply = (await this.scripts.wehubSweepBots(
				this.base(appid),
				until,
				cursor,
				SWEEP_BATCH,
			)) as [string, number];
			cursor = String(reply[0]);
			removed += Number(reply[1]);
		} while (cursor !== '0');
		return removed;
	}

	/* ------------------------------------------------------------------ presence */

	async recordLogin(bot: BotRef, info: LoginInfo, now: number = Date.now()): Promise<BotPresence> {
		return this.touchBot(bot, now, false, [
			...toPairs(info),
			'online',
			'1',
			'login_at',
			String(now),
		]);
	}

	async recordLogout(bot: BotRef, now: number = Date.now()): Promise<BotPresence> {
		return this.touchBot(bot, now, false, ['online', '0', 'logout_at', String(now)]);
	}

	async recordMinClientVersion(
		bot: BotRef,
		version: string,
		now: number = Date.now(),
	): Promise<BotPresence> {
		return this.touchBot(bot, now, true, ['min_client_version', version]);
	}

	async recordHeartbeat(bot: BotRef, now: number = Date.now()): Promise<void> {
		await this.touchBot(bot, now, true, ['online', '1', 'last_heartbeat_at', String(now)]);
	}

	async recordSocketClosed(bot: BotRef, now: number = Date.now()): Promise<void> {
		await this.touchBot(bot, now, false, ['online', '0']);
	}

	/**
	 * Every enqueue publishes its bot on `<prefix>queued` (in the enqueue script, so no enqueue
	 * goes unannounced); one subscriber connection per store delivers them here, and this store's
	 * own enqueues are announced at once as well. Messages sent while that connection was down are
	 * gone: after every (re)connect the listeners are told to look at all their bots.
	 */
	watchQueued(listener: (bot?: BotRef) => void): () => void {
		this.queuedListeners.add(listener);
		if (!this.subscriber) {
			const subscriber = this.redis.duplicate();
			this.subscriber = subscriber;
			subscriber.on('error', () => undefined);
			subscriber.on('ready', () => this.announceQueued(undefined));
			subscriber.on('message', (_channel: string, message: string) => {
				const split = message.indexOf('\n');
				if (split > 0) {
					this.announceQueued({ appid: message.slice(0, split), wxid: message.slice(split + 1) });
				}
			});
			void subscriber.subscribe(`${this.prefix}queued`).catch(() => undefined);
		}
		return () => {
			this.queuedListeners.delete(listener);
			if (this.queuedListeners.size === 0) this.stopWatchingQueued();
		};
	}

	async getBot(bot: BotRef): Promise<BotPresence | null> {
		return presenceFromReply(await this.touchBotReply(bot, undefined, false, []));
	}

	async listBots(appid: string): Promise<BotPresence[]> {
		const wxids = (await this.redis.smembers(`${this.base(appid)}bots`)).sort();
		const presences = await Promise.all(wxids.map((wxid) => this.getBot({ appid, wxid })));
		return presences.filter((presence): presence is BotPresence => presence !== null);
	}

	/* ------------------------------------------------------------------ registries */

	async rememberFile(record: FileRecord): Promise<void> {
		await this.rememberFiles([record]);
	}

	async rememberFiles(records: readonly FileRecord[]): Promise<void> {
		// One MULTI per chunk: a transaction of 100,000 commands would hold Redis up for everyone.
		for (let start = 0; start < records.length; start += FILES_PER_TRANSACTION) {
			const multi = this.redis.multi();
			const appids = new Set<string>();
			for (const record of records.slice(start, start + FILES_PER_TRANSACTION)) {
				const base = this.base(record.appid);
				const key = `${base}file:${record.file_index}`;
				multi
					.del(key)
					.hset(key, ...toPairs(record))
					.zadd(`${base}files`, record.uploaded_at ?? record.reported_at, record.file_index);
				appids.add(record.appid);
			}
			multi.sadd(`${this.prefix}appids`, ...appids);
			await multi.exec().then(throwOnFailure);
		}
	}

	async getFile(appid: string, fileIndex: string): Promise<FileRecord | null> {
		const hash = await this.redis.hgetall(`${this.base(appid)}file:${fileIndex}`);
		return Object.keys(hash).length === 0 ? null : fileFromHash(hash);
	}

	async markFileUploaded(
		appid: string,
		fileIndex: string,
		now: number = Date.now(),
	): Promise<FileUploadMark | null> {
		const reply: unknown = await this.scripts.wehubMarkFileUploaded(
			this.base(appid),
			fileIndex,
			now,
		);
		if (!Array.isArray(reply) || reply.length < 2) return null;
		const hash = pairsToObject(reply[0]);
		return hash ? { file: fileFromHash(hash), repeated: Number(reply[1]) === 1 } : null;
	}

	async rememberFriendRequest(record: FriendRequestRecord): Promise<void> {
		const base = this.base(record.appid);
		const member = `${record.bot_wxid}:${record.requester_wxid}`;
		await this.redis
			.multi()
			.del(`${base}fr:${member}`)
			.hset(`${base}fr:${member}`, ...toPairs(record))
			.zadd(`${base}frs`, record.received_at, member)
			.sadd(`${this.prefix}appids`, record.appid)
			.exec()
			.then(throwOnFailure);
	}

	async getFriendRequest(bot: BotRef, requesterWxid: string): Promise<FriendRequestRecord | null> {
		const hash = await this.redis.hgetall(`${this.base(bot.appid)}fr:${bot.wxid}:${requesterWxid}`);
		return Object.keys(hash).length === 0 ? null : friendRequestFromHash(hash);
	}

	/* ------------------------------------------------------------------ inbox */

	async inboxPut(entry: NewInboxEntry, maxEntries: number): Promise<'stored' | 'full'> {
		const { upload, items, id, appid, ...fields } = entry;
		const pairs = toPairs({ ...fields, attempts: 1, items: JSON.stringify(items) });
		const args: Array<string | number | Buffer> = [
			this.base(appid),
			id,
			entry.owner,
			maxEntries,
			...pairs,
		];
		if (upload) {
			const { data, ...meta } = upload;
			args.push('upload', JSON.stringify(meta), 'upload_data', data);
		}
		const stored = await this.scripts.wehubInboxPut(...(args as Array<string | number>));
		return Number(stored) === 1 ? 'stored' : 'full';
	}

	async inboxDone(appid: string, id: string): Promise<void> {
		await this.scripts.wehubInboxDone(this.base(appid), id);
	}

	async inboxRenew(
		appid: string,
		ids: string[],
		holder: string,
		leaseUntil: number,
	): Promise<void> {
		if (ids.length === 0) return;
		await this.scripts.wehubInboxRenew(this.base(appid), holder, leaseUntil, ...ids);
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
		// Buffers: the upload bytes must come back unchanged.
		const reply = (await this.scripts.wehubInboxClaimBuffer(
			this.base(appid),
			owner,
			holder,
			leaseUntil,
			limit,
			now,
			Number.isFinite(dropBefore) ? dropBefore : -1e15,
		)) as unknown as [Buffer | number, ...Buffer[][]];
		const [dropped, ...hashes] = reply;
		return {
			dropped: Number(dropped),
			claimed: hashes.map((pairs) => inboxFromPairs(appid, pairs, true)),
		};
	}

	async inboxList(appid: string, limit = Infinity): Promise<InboxEntry[]> {
		const base = this.base(appid);
		const owners = new Set<string>();
		let cursor = '0';
		do {
			const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${base}inbox:*`, 'COUNT', 500);
			cursor = next;
			for (const key of keys) owners.add(key.slice(`${base}inbox:`.length));
		} while (cursor !== '0');
		const ids = (
			await Promise.all(
				[...owners].map(async (owner) => await this.redis.zrange(`${base}inbox:${owner}`, 0, -1)),
			)
		).flat();
		const entries = await Promise.all(
			ids.map(async (id) => {
				const pairs = await this.redis.hgetallBuffer(`${base}in:${id}`);
				const flat = Object.entries(pairs)
					.filter(([field]) => field !== 'upload_data')
					.flatMap(([field, value]) => [Buffer.from(field), value]);
				return flat.length === 0
					? null
					: inboxFromPairs(appid, [...flat, Buffer.from('id'), Buffer.from(id)], false);
			}),
		);
		return entries
			.filter((entry): entry is InboxEntry => entry !== null)
			.sort((a, b) => a.received_at - b.received_at)
			.slice(0, limit);
	}

	async putMedia(record: MediaRecord): Promise<void> {
		const key = `${this.prefix}media:${record.id}`;
		await this.redis
			.multi()
			.del(key)
			.hset(key, ...toPairs({ ...record, data: undefined }), 'data', record.data)
			.zadd(`${this.prefix}media`, record.expires_at, record.id)
			.exec()
			.then(throwOnFailure);
	}

	async getMedia(id: string, now: number = Date.now()): Promise<MediaRecord | null> {
		const hash = await this.redis.hgetallBuffer(`${this.prefix}media:${id}`);
		if (!hash.data) return null;
		const record: MediaRecord = {
			id,
			appid: hash.appid.toString(),
			mime_type: hash.mime_type.toString(),
			file_name: hash.file_name.toString(),
			data: hash.data,
			created_at: Number(hash.created_at.toString()),
			expires_at: Number(hash.expires_at.toString()),
		};
		return record.expires_at <= now ? null : record;
	}

	async putSetting(appid: string, key: string, value: string): Promise<void> {
		await this.redis.hset(`${this.base(appid)}settings`, key, value);
	}

	async getSetting(appid: string, key: string): Promise<string | null> {
		return this.redis.hget(`${this.base(appid)}settings`, key);
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.stopSweeping();
		this.queuedListeners.clear();
		this.stopWatchingQueued();
		await this.redis.quit().catch(() => this.redis.disconnect());
	}

	/* ------------------------------------------------------------------ helpers */

	private announceQueued(bot: BotRef | undefined): void {
		for (const listener of this.queuedListeners) listener(bot);
	}

	private stopWatchingQueued(): void {
		this.subscriber?.disconnect();
		this.subscriber = undefined;
	}

	private taskFromReply(reply: unknown): TaskRecord | null {
		const hash = pairsToObject(reply);
		if (!hash) return null;
		// Scripts return the hash without the id: it is the key's suffix, kept in the record.
		return taskFromHash(hash, hash.task_id);
	}

	/** Wakes waitForResult callers in this process as soon as a task finishes here. */
	private announce(record: TaskRecord | null): TaskRecord | null {
		if (record && record.finished_at !== undefined) this.finished.emit(record.task_id);
		return record;
	}

	private async touchBot(
		bot: BotRef,
		now: number,
		onlineWhenNew: boolean,
		pairs: string[],
	): Promise<BotPresence> {
		return presenceFromReply(
			await this.touchBotReply(bot, now, onlineWhenNew, pairs),
		) as BotPresence;
	}

	/** `now` undefined: read only. */
	private touchBotReply(
		bot: BotRef,
		now: number | undefined,
		onlineWhenNew: boolean,
		pairs: string[],
	): Promise<unknown> {
		return this.scripts.wehubTouchBot(
			this.prefix,
			this.base(bot.appid),
			bot.appid,
			bot.wxid,
			now === undefined ? '' : String(now),
			onlineWhenNew ? '1' : '0',
			...pairs,
		);
	}

	private async queuedIdsInOrder(base: string, wxid: string): Promise<string[]> {
		const [due, held] = await Promise.all([
			this.redis.zrange(`${base}q:${wxid}`, 0, -1),
			this.redis.zrange(`${base}d:${wxid}`, 0, -1),
		]);
		// Ids sort by creation, which is also enqueue order.
		return [...due, ...held].sort();
	}
}

/** A MULTI whose EXEC failed or one of whose commands failed must not look like success. */
function throwOnFailure(replies: Array<[Error | null, unknown]> | null): void {
	if (!replies) throw new Error('Redis discarded the transaction');
	for (const [error] of replies) if (error) throw error;
}
