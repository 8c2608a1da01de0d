import { extractMessageUnits } from './message';
import {
	KNOWN_ACTIONS,
	type ActionDataMap,
	type ReportMsgUnit,
	type WeHubAction,
	type WeHubEnvelope,
} from './types';

/**
 * Validates a callback body into a typed request. Never throws: anything wrong comes back as a
 * `RequestError` with a reason a person can act on. Unknown actions are not errors (WeHub adds
 * actions over time and each still needs an answer). A body with `__proto__`, `constructor` or
 * `prototype` keys anywhere is refused: WeHub never sends them and they only serve pollution.
 */

export type KnownWeHubRequest = {
	[A in WeHubAction]: WeHubEnvelope<A, ActionDataMap[A]> & { known: true } & RequestExtras<A>;
}[WeHubAction];

/** report_new_msg carries its units however they arrived (`msg`, `msg_list`, or in `data`). */
type RequestExtras<A extends WeHubAction> = A extends 'report_new_msg'
	? { units: ReportMsgUnit[] }
	: unknown;

export type UnknownWeHubRequest = WeHubEnvelope<string, Record<string, unknown>> & { known: false };

export type WeHubRequest = KnownWeHubRequest | UnknownWeHubRequest;

export type WeHubRequestOf<A extends WeHubAction> = Extract<KnownWeHubRequest, { action: A }>;

export interface RequestError {
	reason: string;
	action?: string;
	appid?: string;
	wxid?: string;
	httpStatus: number;
}

export type ParseResult = { ok: true; request: WeHubRequest } | { ok: false; error: RequestError };

const KNOWN: ReadonlySet<string> = new Set(KNOWN_ACTIONS);
/** Actions whose `data` carries nothing we need: a missing `data` is read as `{}`. */
const DATA_OPTIONAL: ReadonlySet<string> = new Set(['pull_task', 'logout']);
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** Cheap pre-check before the slower key-checking parse; `\u00` catches escaped key spellings. */
const MAYBE_FORBIDDEN = /__proto__|constructor|prototype|\\u00/;
/**
 * WeHub's deepest body is 5 levels (data.room_data_list[].memberInfo_list[].field). JSON.parse
 * copes with 100,000 levels, but recursive code after it (n8n's deepCopy of items, JSON.stringify
 * of execution data) overflows the stack at a few thousand.
 */
export const MAX_JSON_DEPTH = 64;
/**
 * Identifiers end up in store keys, and lmdb refuses keys over 1,978 bytes ("String does not fit
 * in target buffer", a 500). Real ones are far shorter: wxids under 64 bytes, file_index a
 * Windows path, v1/v2 tickets a few hundred bytes.
 */
export const MAX_ID_BYTES = 256;
export const MAX_KEY_FIELD_BYTES = 1024;

type Json = Record<string, unknown>;

/** Thrown inside validation only, always caught in parseRequest. */
class Invalid extends Error {}

export function parseRequest(body: string | Buffer): ParseResult {
	let text: string;
	if (typeof body === 'string') text = body;
	else if (Buffer.isBuffer(body)) text = body.toString('utf8');
	else return failure({ reason: 'Body is neither text nor bytes' });
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	if (text.trim() === '') return failure({ reason: 'Body is empty' });

	let parsed: unknown;
	try {
		parsed = parseJson(text);
	} catch (error) {
		if (error instanceof Invalid) return failure({ reason: error.message });
		// The reviver recurses: very deep bodies overflow the stack there.
		if (error instanceof RangeError) return failure({ reason: TOO_DEEP });
		return failure({ reason: `Body is not valid JSON (${(error as Error).message})` });
	}
	if (depthExceeds(parsed, MAX_JSON_DEPTH)) return failure({ reason: TOO_DEEP });
	if (!isRecord(parsed)) {
		const got = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed;
		return failure({ reason: `Body must be a JSON object, got ${got}` });
	}

	const action = parsed.action;
	const appid = typeof parsed.appid === 'string' ? parsed.appid : undefined;
	const wxid = typeof parsed.wxid === 'string' ? parsed.wxid : undefined;
	const context = {
		action: typeof action === 'string' && action !== '' ? action : undefined,
		appid,
		wxid,
	};
	if (context.action === undefined) {
		return failure({ ...context, reason: 'Field "action" must be a non-empty string' });
	}
	if (!appid) return failure({ ...context, reason: 'Field "appid" must be a non-empty string' });
	if (!wxid) return failure({ ...context, reason: 'Field "wxid" must be a non-empty string' });
	for (const [field, value] of [
		['appid', appid],
		['wxid', wxid],
	] as const) {
		if (Buffer.byteLength(value) > MAX_ID_BYTES) {
			return failure({
				...context,
				reason: `Field "${field}" is longer than ${MAX_ID_BYTES} bytes`,
			});
		}
	}

	const known = KNOWN.has(context.action);
	let data = parsed.data;
	if (data === undefined || data === null) {
		if (known && !DATA_OPTIONAL.has(context.action)) {
			return failure({ ...context, reason: 'Field "data" is missing' });
		}
		data = {};
	}
	if (!isRecord(data)) return failure({ ...context, reason: 'Field "data" must be an object' });

	const request: Json = { action: context.action, appid, wxid, data, known };
	if (typeof parsed.client_session === 'string') request.client_session = parsed.client_session;
	if (known) {
		try {
			validateData(context.action as WeHubAction, data, request);
		} catch (error) {
			if (error instanceof Invalid) return failure({ ...context, reason: error.message });
			// Not reachable with JSON input; kept so a bug here still yields an answer, not a crash.
			return failure({ ...context, reason: `Could not read data (${String(error)})` }, 500);
		}
	}
	return { ok: true, request: request as unknown as WeHubRequest };
}

function failure(error: Omit<RequestError, 'httpStatus'>, httpStatus = 400): ParseResult {
	const clean: RequestError = { reason: error.reason, httpStatus };
	if (error.action !== undefined) clean.action = error.action;
	if (error.appid !== undefined) clean.appid = error.appid;
	if (error.wxid !== undefined) clean.wxid = error.wxid;
	return { ok: false, error: clean };
}

const TOO_DEEP = `Body is nested deeper than ${MAX_JSON_DEPTH} levels`;

/** Iterative (a recursive check would overflow on exactly the bodies it looks for). */
function depthExceeds(root: unknown, maxDepth: number): boolean {
	if (typeof root !== 'object' || root === null) return false;
	const stack: Array<[object, number]> = [[root, 1]];
	while (stack.length > 0) {
		const [value, depth] = stack.pop()!;
		if (depth > maxDepth) return true;
		for (const child of Array.isArray(value) ? value : Object.values(value)) {
			if (typeof child === 'object' && child !== null) stack.push([child as object, depth + 1]);
		}
	}
	return false;
}

function parseJson(text: string): unknown {
	if (!MAYBE_FORBIDDEN.test(text)) return JSON.parse(text);
	return JSON.parse(text, function (key, value: unknown) {
		if (FORBIDDEN_KEYS.has(key) && !Array.isArray(this)) {
			throw new Invalid(`Body contains the forbidden key "${key}"`);
		}
		return value;
	});
}

/* ------------------------------------------------------------------ per-action validation */

function validateData(action: WeHubAction, data: Json, request: Json): void {
	switch (action) {
		case 'login':
			optionalStrings(data, 'data', [
				'nickname',
				'wx_alias',
				'head_img',
				'client_version',
				'nonce',
				'local_ip',
				'machine_id',
			]);
			return;
		case 'logout':
			optionalStrings(data, 'data', ['client_version', 'machine_id']);
			return;
		case 'report_contact':
			listOf(data, 'friend_list', 'data', withWxid, true);
			listOf(data, 'group_list', 'data', withWxid, true);
			if (data.public_list !== undefined) listOf(data, 'public_list', 'data', withWxid, false);
			return;
		case 'report_contact_update':
			listOf(data, 'update_list', 'data', withWxid, false);
			return;
		case 'report_new_friend':
			requiredString(data, 'fans_wxid', 'data');
			optionalStrings(data, 'data', ['nickname', 'wx_alias', 'head_img', 'notice_word']);
			return;
		case 'report_friend_add_request':
			requiredString(data, 'v1', 'data');
			requiredString(data, 'v2', 'data');
			keyFieldFits(data, ['v1', 'v2'], 'data');
			optionalStrings(data, 'data', ['notice_word', 'raw_msg']);
			return;
		case 'report_friend_removed':
		case 'report_room_removed':
			requiredString(data, 'wxid_removed', 'data');
			return;
		case 'report_new_msg':
			request.units = messageUnits(data);
			return;
		case 'report_room_member_info':
			listOf(data, 'room_data_list', 'data', roomData, false);
			return;
		case 'report_room_member_change':
			requiredString(data, 'room_wxid', 'data');
			listOf(data, 'wxid_list', 'data', nonEmptyString, true);
			data.flag = numberField(data, 'flag', 'data', true);
			return;
		case 'report_new_room':
			requiredString(data, 'wxid', 'data');
			if (data.memberInfo_list !== undefined)
				listOf(data, 'memberInfo_list', 'data', withWxid, true);
			return;
		case 'pull_task':
			return;
		case 'report_task_result':
			taskResult(data);
			return;
		case 'report_zoom_check_status':
			requiredString(data, 'wxid', 'data');
			data.result = numberField(data, 'result', 'data', true);
			return;
		case 'report_user_info':
			requiredString(data, 'wxid', 'data');
			return;
		default:
			assertNever(action);
	}
}

function messageUnits(data: Json): ReportMsgUnit[] {
	const units = extractMessageUnits(data);
	if (units.length === 0) {
		throw new Invalid('report_new_msg needs a message unit in "data.msg" (or "data.msg_list")');
	}
	units.forEach((unit, index) => messageUnit(unit as unknown as Json, `message unit ${index}`));
	return units;
}

function messageUnit(unit: Json, where: string): void {
	unit.msg_type = numberField(unit, 'msg_type', where, true);
	optionalStrings(unit, where, [
		'room_wxid',
		'wxid_from',
		'wxid_to',
		'wxid',
		'raw_msg',
		'file_index',
		'link_url',
		'link_title',
		'link_desc',
		'link_img_url',
		'emoji_url',
		'transferid',
	]);
	keyFieldFits(unit, ['file_index'], where);
	if (unit.msg_id !== undefined && unit.msg_id !== null) {
		if (typeof unit.msg_id === 'number') unit.msg_id = String(unit.msg_id);
		else if (typeof unit.msg_id !== 'string')
			throw new Invalid(`${where}: "msg_id" must be a string`);
	}
	for (const field of ['msg_timestamp', 'paysubtype', 'sub_type']) {
		const value = numberField(unit, field, where, false);
		if (value === undefined) delete unit[field];
		else unit[field] = value;
	}
	if (unit.msg_type === 1 && typeof unit.msg !== 'string') {
		throw new Invalid(`${where}: a text message needs "msg" as a string`);
	}
	if (unit.atUserList !== undefined && unit.atUserList !== null) {
		listOf(unit, 'atUserList', where, nonEmptyString, false);
	}
}

function taskResult(data: Json): void {
	if (typeof data.task_id === 'number') data.task_id = String(data.task_id);
	requiredString(data, 'task_id', 'data');
	keyFieldFits(data, ['task_id'], 'data');
	const result = data.task_result;
	// Lenient: "1"/"0" strings and booleans, as loosely typed clients send them.
	if (result === 1 || result === '1' || result === true) data.task_result = 1;
	else if (result === 0 || result === '0' || result === false) data.task_result = 0;
	else throw new Invalid('Field "data.task_result" must be 1 (success) or 0 (failure)');
	optionalStrings(data, 'data', ['error_reason']);
}

/* ------------------------------------------------------------------ field helpers */

function requiredString(obj: Json, field: string, where: string): void {
	if (typeof obj[field] !== 'string' || obj[field] === '') {
		throw new Invalid(`Field "${where}.${field}" must be a non-empty string`);
	}
}

/** Fields that become store keys must fit one (see MAX_KEY_FIELD_BYTES). */
function keyFieldFits(obj: Json, fields: string[], where: string): void {
	for (const field of fields) {
		const value = obj[field];
		if (typeof value === 'string' && Buffer.byteLength(value) > MAX_KEY_FIELD_BYTES) {
			throw new Invalid(`Field "${where}.${field}" is longer than ${MAX_KEY_FIELD_BYTES} bytes`);
		}
	}
}

/** Optional text fields: null reads as absent; anything else but a string is an error. */
function optionalStrings(obj: Json, where: string, fields: string[]): void {
	for (const field of fields) {
		const value = obj[field];
		if (value === undefined || typeof value === 'string') continue;
		if (value === null) delete obj[field];
		else throw new Invalid(`Field "${where}.${field}" must be a string`);
	}
}

/** A number, or a numeric string read as one. */
function numberField(
	obj: Json,
	field: string,
	where: string,
	required: boolean,
): number | undefined {
	const value = obj[field];
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
		return Number(value);
	}
	if (!required && (value === undefined || value === null)) return undefined;
	throw new Invalid(`Field "${where}.${field}" must be a number`);
}

type ItemCheck = (item: unknown, where: string) => void;

function listOf(
	obj: Json,
	field: string,
	where: string,
	check: ItemCheck,
	missingIsEmpty: boolean,
): void {
	let list = obj[field];
	if ((list === undefined || list === null) && missingIsEmpty) list = obj[field] = [];
	if (!Array.isArray(list)) throw new Invalid(`Field "${where}.${field}" must be a list`);
	for (let i = 0; i < list.length; i++) check(list[i], `${where}.${field}[${i}]`);
}

function withWxid(item: unknown, where: string): void {
	if (!isRecord(item)) throw new Invalid(`"${where}" must be an object`);
	requiredString(item, 'wxid', where);
}

function nonEmptyString(item: unknown, where: string): void {
	if (typeof item !== 'string' || item === '')
		throw new Invalid(`"${where}" must be a non-empty string`);
}

function roomData(item: unknown, where: string): void {
	if (!isRecord(item)) throw new Invalid(`"${where}" must be an object`);
	requiredString(item, 'room_wxid', where);
	listOf(item, 'memberInfo_list', where, withWxid, true);
}

function isRecord(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assertNever(value: never): never {
	throw new Error(`unhandled action ${String(value)}`);
}
