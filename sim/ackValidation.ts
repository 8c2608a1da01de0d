/**
 * Checks every answer the way a strict WeHub client would read it (PROTOCOL.md, "Transport"):
 * JSON object, numeric error_code, string error_reason, the ack_type this client version
 * expects, a data object; and the task shapes inside pull_task and reply_task_list answers.
 */
import { expectedAckType, supports } from './clientVersion';

export interface Ack {
	error_code: number;
	error_reason: string;
	ack_type: string;
	data: Record<string, unknown>;
	[extra: string]: unknown;
}

export interface Task {
	task_type: number;
	task_dict: Record<string, unknown>;
}

export type AckCheck =
	{ ok: true; ack: Ack; problems: string[] } | { ok: false; problems: string[] };

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an HTTP answer to `action`; `problems` lists every rule it breaks (empty = valid). */
export function checkAck(action: string, version: string, status: number, body: string): AckCheck {
	const problems: string[] = [];
	if (status !== 200) problems.push(`HTTP status ${status}, expected 200`);
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		problems.push(`answer is not JSON: ${JSON.stringify(body.slice(0, 120))}`);
		return { ok: false, problems };
	}
	if (!isObject(parsed)) {
		problems.push('answer is not a JSON object');
		return { ok: false, problems };
	}
	if (typeof parsed.error_code !== 'number')
		problems.push(`error_code is ${typeof parsed.error_code}, expected a number`);
	if (typeof parsed.error_reason !== 'string')
		problems.push(`error_reason is ${typeof parsed.error_reason}, expected a string`);
	const expected = expectedAckType(action, version);
	if (parsed.ack_type !== expected) {
		problems.push(
			`ack_type is ${JSON.stringify(parsed.ack_type)}, client ${version} expects "${expected}"`,
		);
	}
	if (!isObject(parsed.data)) problems.push('data is missing or not an object');
	if (typeof parsed.error_code !== 'number' || !isObject(parsed.data))
		return { ok: false, problems };
	return { ok: true, ack: parsed as Ack, problems };
}

/** Reads the answer to a multipart upload: `{error_code, error_reason, ack_type: upload_file_ack, file_index}`. */
export function checkUploadAck(fileIndex: string, status: number, body: string): AckCheck {
	const problems: string[] = [];
	if (status !== 200) problems.push(`HTTP status ${status}, expected 200`);
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		problems.push(`upload answer is not JSON: ${JSON.stringify(body.slice(0, 120))}`);
		return { ok: false, problems };
	}
	if (!isObject(parsed))
		return { ok: false, problems: [...problems, 'upload answer is not a JSON object'] };
	if (typeof parsed.error_code !== 'number') problems.push('upload error_code is not a number');
	if (typeof parsed.error_reason !== 'string') problems.push('upload error_reason is not a string');
	if (parsed.ack_type !== 'upload_file_ack')
		problems.push(
			`upload ack_type is ${JSON.stringify(parsed.ack_type)}, expected "upload_file_ack"`,
		);
	if (parsed.error_code === 0 && parsed.file_index !== fileIndex) {
		problems.push(
			`upload answer file_index ${JSON.stringify(parsed.file_index)} does not echo ${JSON.stringify(fileIndex)}`,
		);
	}
	if (typeof parsed.error_code !== 'number') return { ok: false, problems };
	return { ok: true, ack: { data: {}, ...parsed } as Ack, problems };
}

/** What a login_ack's `extension_protocol` asks for, read as a 0.4.2+ client reads it. */
export interface WebSocketOffer {
	/** `ws_url` exactly as given, query string included. */
	url: string;
	/** `heartbeat_interval` (seconds) in milliseconds; 30 s when the answer gives none. */
	heartbeatIntervalMs: number;
}

export const DEFAULT_HEARTBEAT_SECONDS = 30;

/**
 * Reads `login_ack.data.extension_protocol` (PROTOCOL.md, "WebSocket transport"). No offer and
 * no problem for another `type`: a client passes over extensions it does not know.
 */
export function checkExtensionProtocol(value: unknown): {
	offer?: WebSocketOffer;
	problems: string[];
} {
	if (!isObject(value)) return { problems: ['extension_protocol is not an object'] };
	if (value.type !== 'websocket') {
		return typeof value.type === 'string'
			? { problems: [] }
			: {
					problems: [`extension_protocol.type is ${JSON.stringify(value.type)}, expected a string`],
				};
	}
	if (!isObject(value.param))
		return { problems: ['extension_protocol.param is missing or not an object'] };
	const { ws_url, heartbeat_interval } = value.param;
	if (
		typeof ws_url !== 'string' ||
		!/^wss?:\/\/[^/?#\s]+[^\s]*$/i.test(ws_url) ||
		!URL.canParse(ws_url)
	) {
		return {
			problems: [
				`extension_protocol.param.ws_url is ${JSON.stringify(ws_url)}, expected a ws:// or wss:// URL`,
			],
		};
	}
	const problems: string[] = [];
	let seconds = DEFAULT_HEARTBEAT_SECONDS;
	if (heartbeat_interval !== undefined) {
		if (
			typeof heartbeat_interval === 'number' &&
			Number.isFinite(heartbeat_interval) &&
			heartbeat_interval > 0
		)
			seconds = heartbeat_interval;
		else
			problems.push(
				`extension_protocol.param.heartbeat_interval is ${JSON.stringify(heartbeat_interval)}, expected a number of seconds > 0 (using ${DEFAULT_HEARTBEAT_SECONDS})`,
			);
	}
	return { offer: { url: ws_url, heartbeatIntervalMs: seconds * 1000 }, problems };
}

/** Tag tasks (0.4.2): 100 tags friends or rooms, 101 renames a tag. */
const TAG_TASKS = new Set([100, 101]);

/** Problems with one task as this client version would execute it. */
export function checkTask(task: unknown, version: string): string[] {
	if (!isObject(task)) return ['task is not an object'];
	const problems: string[] = [];
	if (typeof task.task_type !== 'number' || !Number.isInteger(task.task_type)) {
		problems.push(`task_type is ${JSON.stringify(task.task_type)}, expected an integer`);
	} else if ((task.task_type < 1 || task.task_type > 19) && !TAG_TASKS.has(task.task_type)) {
		problems.push(`task_type ${task.task_type} is not a known task`);
	} else if (task.task_type >= 14 && task.task_type <= 19 && !supports(version, 'laterTasks')) {
		problems.push(`task ${task.task_type} is not known to client ${version}`);
	} else if (TAG_TASKS.has(task.task_type) && !supports(version, 'tagTasks')) {
		problems.push(`task ${task.task_type} (tags) is not known to client ${version}`);
	}
	if (!isObject(task.task_dict)) return [...problems, 'task_dict is missing or not an object'];
	const dict = task.task_dict;
	if (task.task_type === 1) {
		if (!Array.isArray(dict.msg_list) || dict.msg_list.length === 0)
			problems.push('task 1 has no msg_list');
		else if (!dict.msg_list.every((unit) => isObject(unit) && typeof unit.msg_type === 'number')) {
			problems.push('task 1 msg_list holds a unit without a numeric msg_type');
		}
		if (supports(version, 'wxidToTasks')) {
			if (typeof dict.wxid_to !== 'string' || dict.wxid_to === '')
				problems.push(`task 1 lacks wxid_to, which client ${version} reads`);
		} else if (
			typeof dict.room_wxid !== 'string' ||
			typeof dict.wxid !== 'string' ||
			(dict.room_wxid === '' && dict.wxid === '')
		) {
			problems.push(`task 1 lacks room_wxid/wxid, which client ${version} reads`);
		}
	}
	if (task.task_type === 9 && (typeof dict.file_index !== 'string' || dict.file_index === ''))
		problems.push('task 9 lacks file_index');
	if (task.task_type === 4 && !Array.isArray(dict.room_wxid_list))
		problems.push('task 4 lacks room_wxid_list');
	if (task.task_type === 100) {
		if (typeof dict.tag_name !== 'string' || dict.tag_name === '')
			problems.push('task 100 lacks tag_name');
		if (![1, 2, 3].includes(dict.op_code as number))
			problems.push('task 100 op_code is not 1, 2 or 3');
		if (!Array.isArray(dict.wxid_list)) problems.push('task 100 lacks wxid_list');
		else if (dict.op_code !== 3 && dict.wxid_list.length === 0)
			problems.push('task 100 tags nobody');
	}
	if (
		task.task_type === 101 &&
		(typeof dict.old_tag_name !== 'string' || typeof dict.new_tag_name !== 'string')
	)
		problems.push('task 101 lacks old_tag_name/new_tag_name');
	return problems;
}
