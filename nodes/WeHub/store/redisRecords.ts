import type { WeHubTask } from '../protocol/types';
import type {
	BotPresence,
	FileRecord,
	FriendRequestRecord,
	TaskRecord,
	TaskState,
} from './TaskStore';

/**
 * Records are Redis hashes of strings, so scripts can change one field without re-encoding JSON
 * (Lua's cjson would turn `[]` into `{}` and round large numbers). These turn them back.
 */

/** A flat HGETALL reply from a script ([field, value, ...]) as an object; null when empty. */
export function pairsToObject(pairs: unknown): Record<string, string> | null {
	if (!Array.isArray(pairs) || pairs.length === 0) return null;
	const result: Record<string, string> = {};
	for (let i = 0; i + 1 < pairs.length; i += 2) result[String(pairs[i])] = String(pairs[i + 1]);
	return result;
}

function optionalNumber(value: string | undefined): number | undefined {
	return value === undefined || value === '' ? undefined : Number(value);
}

/** Drops undefined fields so records compare equal across backends. */
function compact<T extends object>(value: T): T {
	for (const key of Object.keys(value) as (keyof T)[]) {
		if (value[key] === undefined) delete value[key];
	}
	return value;
}

/** The hot path's decoder: optional fields are added only when present (no deletes afterwards). */
export function taskFromHash(hash: Record<string, string>, taskId: string): TaskRecord {
	const record: TaskRecord = {
		task_id: taskId,
		appid: hash.appid,
		bot_wxid: hash.bot_wxid,
		task: JSON.parse(hash.task) as WeHubTask,
		state: hash.state as TaskState,
		created_at: Number(hash.created_at),
	};
	if (hash.not_before) record.not_before = Number(hash.not_before);
	if (hash.expires_at) record.expires_at = Number(hash.expires_at);
	if (hash.handed_out_at) record.handed_out_at = Number(hash.handed_out_at);
	if (hash.finished_at) record.finished_at = Number(hash.finished_at);
	if (hash.success !== undefined) record.success = hash.success === '1';
	if (hash.error_reason !== undefined) record.error_reason = hash.error_reason;
	if (hash.meta !== undefined) record.meta = JSON.parse(hash.meta) as Record<string, unknown>;
	if (hash.idempotency_key !== undefined) record.idempotency_key = hash.idempotency_key;
	return record;
}

/** A TOUCH_BOT / POLL bot reply ({hash pairs, depth}) as presence; null for a bot never seen. */
export function presenceFromReply(reply: unknown): BotPresence | null {
	if (!Array.isArray(reply) || reply.length < 2) return null;
	const hash = pairsToObject(reply[0]);
	if (!hash) return null;
	return compact<BotPresence>({
		appid: hash.appid,
		wxid: hash.wxid,
		online: hash.online === '1',
		nickname: hash.nickname,
		wx_alias: hash.wx_alias,
		client_version: hash.client_version,
		min_client_version: hash.min_client_version,
		login_at: optionalNumber(hash.login_at),
		logout_at: optionalNumber(hash.logout_at),
		last_poll_at: optionalNumber(hash.last_poll_at),
		last_heartbeat_at: optionalNumber(hash.last_heartbeat_at),
		queue_depth: Number(reply[1]),
	});
}

/** Any flat record as hash field/value pairs, leaving out undefined fields. */
export function toPairs(record: object): string[] {
	const pairs: string[] = [];
	for (const [field, value] of Object.entries(record)) {
		if (value !== undefined) pairs.push(field, String(value));
	}
	return pairs;
}

export function fileFromHash(hash: Record<string, string>): FileRecord {
	return compact<FileRecord>({
		appid: hash.appid,
		bot_wxid: hash.bot_wxid,
		file_index: hash.file_index,
		state: hash.state as FileRecord['state'],
		kind: hash.kind,
		msg_type: optionalNumber(hash.msg_type),
		msg_id: hash.msg_id,
		room_wxid: hash.room_wxid,
		from_wxid: hash.from_wxid,
		reported_at: Number(hash.reported_at),
		uploaded_at: optionalNumber(hash.uploaded_at),
	});
}

export function friendRequestFromHash(hash: Record<string, string>): FriendRequestRecord {
	return compact<FriendRequestRecord>({
		appid: hash.appid,
		bot_wxid: hash.bot_wxid,
		requester_wxid: hash.requester_wxid,
		v1: hash.v1,
		v2: hash.v2,
		notice_word: hash.notice_word,
		nickname: hash.nickname,
		received_at: Number(hash.received_at),
	});
}
