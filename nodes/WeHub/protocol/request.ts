import { messageUnitList } from './message';
import { laterClientEvidence } from './version';
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
	[A in WeHubAction]: WeHubEnvelope<A, ActionDataMap[A]> & {
		known: true;
	} & ReadingNotes &
		RequestExtras<A>;
}[WeHubAction];

/**
 * Liberal in what it accepts: a real client's variance must not cost a user's data. A malformed
 * entry of a list is left out of the list (in place: big reports are not copied) and named in
 * `skipped`; a field that deviates from the documented shape but can still be read is read and
 * named in `flags`. Both are absent when there is nothing to say.
 */
export interface ReadingNotes {
	skipped?: SkippedEntry[];
	flags?: RequestFlag[];
}

/** A list entry left out: the list (`friend_list`, `room_data_list[2].memberInfo_list`, ...), its index there, why. */
export interface SkippedEntry {
	list: string;
	index: number;
	reason: string;
}

/**
 * - `flag_missing` / `flag_not_a_number`: report_room_member_change without a readable `flag`
 *   (the item says `change: 'unknown'`);
 * - `v2_missing`: report_friend_add_request with an empty or missing `v2` (it cannot be accepted
 *   with task 13, which needs both tickets);
 * - `wxid_instead_of_fans_wxid`: report_new_friend naming the friend in `wxid`.
 */
export type RequestFlag =
	'flag_missing' | 'flag_not_a_number' | 'v2_missing' | 'wxid_instead_of_fans_wxid';

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
	/** HTTP-like: 400 malformed, 413 too many message units. Sent as `error_code` in an HTTP 200. */
	httpStatus: number;
	/** `data.client_version` when the body had one: the answer follows it. */
	clientVersion?: string;
	/** A field only 0.2+ clients send (see version.ts `laterClientEvidence`), when the body had one. */
	laterClient?: string;
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
/**
 * Message units accepted in one report_new_msg. WeHub sends one message per callback; `msg_list`
 * is this package's leniency, and without a bound one 7.6 MB body of 100,000 units became 100,000
 * items (n8n stalled for minutes) and 50,000 file units took 20 s to record. Beyond it the whole
 * callback is refused with error_code 413, before any unit is read.
 */
export const MAX_MESSAGE_UNITS = 100;
/** `skipped` names at most this many entries (a hostile report may carry millions). */
export const MAX_SKIPPED_LISTED = 100;

type Json = Record<string, unknown>;

/** Thrown inside validation only, always caught in parseRequest. */
class Invalid extends Error {
	constructor(
		message: string,
		readonly errorCode = 400,
	) {
		super(message);
	}
}

/** What a parse noticed on the way; copied onto the request only when non-empty. */
class Notes {
	skipped: SkippedEntry[] = [];
	flags: RequestFlag[] = [];

	skip(list: string, index: number, reason: string): void {
		if (this.skipped.length < MAX_SKIPPED_LISTED) this.skipped.push({ list, index, reason });
	}

	flag(flag: RequestFlag): void {
		if (!this.flags.includes(flag)) this.flags.push(flag);
	}
}

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
	const hints = clientHints(parsed);
	if (!appid) {
		return failure({ ...context, ...hints, reason: 'Field "appid" must be a non-empty string' });
	}
	if (!wxid) {
		return failure({ ...context, ...hints, reason: 'Field "wxid" must be a non-empty string' });
	}
	for (const [field, value] of [
		['action', context.action],
		['appid', appid],
		['wxid', wxid],
	] as const) {
		if (Buffer.byteLength(value) > MAX_ID_BYTES) {
			return failure({
				...context,
				...hints,
				reason: `Field "${field}" is longer than ${MAX_ID_BYTES} bytes`,
			});
		}
	}

	const known = KNOWN.has(context.action);
	let data = parsed.data;
	if (data === undefined || data === null) {
		if (known && !DATA_OPTIONAL.has(context.action)) {
			return failure({ ...context, ...hints, reason: 'Field "data" is missing' });
		}
		data = {};
	}
	if (!isRecord(data)) {
		return failure({ ...context, ...hints, reason: 'Field "data" must be an object' });
	}

	const request: Json = { action: context.action, appid, wxid, data, known };
	if (typeof parsed.client_session === 'string') request.client_session = parsed.client_session;
	if (known) {
		const notes = new Notes();
		try {
			validateData(context.action as WeHubAction, data, request, notes);
		} catch (error) {
			if (error instanceof Invalid) {
				return failure({ ...context, ...hints, reason: error.message }, error.errorCode);
			}
			// Not reachable with JSON input; kept so a bug here still yields an answer, not a crash.
			return failure(
				{ ...context, ...hints, reason: `Could not read data (${String(error)})` },
				500,
			);
		}
		if (notes.skipped.length > 0) request.skipped = notes.skipped;
		if (notes.flags.length > 0) request.flags = notes.flags;
	}
	return { ok: true, request: request as unknown as WeHubRequest };
}

function failure(error: Omit<RequestError, 'httpStatus'>, httpStatus = 400): ParseResult {
	const clean: RequestError = { reason: error.reason, httpStatus };
	if (error.action !== undefined) clean.action = error.action;
	if (error.appid !== undefined) clean.appid = error.appid;
	if (error.wxid !== undefined) clean.wxid = error.wxid;
	if (error.clientVersion !== undefined) clean.clientVersion = error.clientVersion;
	if (error.laterClient !== undefined) clean.laterClient = error.laterClient;
	return { ok: false, error: clean };
}

/** What a refused body still says about its client, so the refusal is shaped for it. */
function clientHints(body: Json): Pick<RequestError, 'clientVersion' | 'laterClient'> {
	const hints: Pick<RequestError, 'clientVersion' | 'laterClient'> = {};
	const version = isRecord(body.data) ? body.data.client_version : undefined;
	if (typeof version === 'string' && version !== '') hints.clientVersion = version;
	const evidence = laterClientEvidence(body);
	if (evidence !== undefined) hints.laterClient = evidence;
	return hints;
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

function validateData(action: WeHubAction, data: Json, request: Json, notes: Notes): void {
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
			lenientList(data, 'friend_list', 'data', withWxid, true, notes);
			lenientList(data, 'group_list', 'data', withWxid, true, notes);
			if (data.public_list !== undefined && data.public_list !== null) {
				lenientList(data, 'public_list', 'data', withWxid, false, notes);
			}
			return;
		case 'report_contact_update':
			lenientList(data, 'update_list', 'data', withWxid, false, notes);
			return;
		case 'report_new_friend':
			newFriend(data, notes);
			return;
		case 'report_friend_add_request':
			friendAddRequest(data, notes);
			return;
		case 'report_friend_removed':
		case 'report_room_removed':
			requiredString(data, 'wxid_removed', 'data');
			return;
		case 'report_new_msg':
			request.units = messageUnits(data, notes);
			return;
		case 'report_room_member_info':
			lenientList(data, 'room_data_list', 'data', roomData(notes), false, notes);
			return;
		case 'report_room_member_change':
			requiredString(data, 'room_wxid', 'data');
			lenientList(data, 'wxid_list', 'data', nonEmptyString, true, notes);
			memberChangeFlag(data, notes);
			return;
		case 'report_new_room':
			requiredString(data, 'wxid', 'data');
			if (data.memberInfo_list !== undefined && data.memberInfo_list !== null) {
				lenientList(data, 'memberInfo_list', 'data', withWxid, true, notes);
			}
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

/** The friend is `fans_wxid`; a client that names it `wxid` is read the same way, and flagged. */
function newFriend(data: Json, notes: Notes): void {
	if (!nonEmpty(data.fans_wxid) && nonEmpty(data.wxid)) {
		data.fans_wxid = data.wxid;
		notes.flag('wxid_instead_of_fans_wxid');
	}
	requiredString(data, 'fans_wxid', 'data');
	optionalStrings(data, 'data', ['nickname', 'wx_alias', 'head_img', 'notice_word']);
}

/** v1 names the requester and is required; without v2 the request is still worth emitting. */
function friendAddRequest(data: Json, notes: Notes): void {
	requiredString(data, 'v1', 'data');
	if (typeof data.v2 === 'number' && Number.isFinite(data.v2)) data.v2 = String(data.v2);
	if (data.v2 === undefined || data.v2 === null || data.v2 === '') {
		data.v2 = '';
		notes.flag('v2_missing');
	} else if (typeof data.v2 !== 'string') {
		throw new Invalid('Field "data.v2" must be a string');
	}
	keyFieldFits(data, ['v1', 'v2'], 'data');
	optionalStrings(data, 'data', ['notice_word', 'raw_msg']);
}

/** 1 joined, 0 left; a change without a readable flag is kept (as 'unknown') and flagged. */
function memberChangeFlag(data: Json, notes: Notes): void {
	if (data.flag === undefined || data.flag === null || data.flag === '') {
		delete data.flag;
		notes.flag('flag_missing');
		return;
	}
	const flag = numberField(data, 'flag', 'data', false, true);
	if (flag === undefined) notes.flag('flag_not_a_number');
	else data.flag = flag;
}

function messageUnits(data: Json, notes: Notes): ReportMsgUnit[] {
	const source = messageUnitList(data);
	if (!source || source.entries.length === 0) {
		throw new Invalid('report_new_msg needs a message unit in "data.msg" (or "data.msg_list")');
	}
	const count = source.entries.length;
	if (count > MAX_MESSAGE_UNITS) {
		throw new Invalid(
			`report_new_msg carries ${count} message units; at most ${MAX_MESSAGE_UNITS} are accepted ` +
				'in one callback (WeHub sends one message per callback)',
			413,
		);
	}
	if (source.field === 'msg' && !Array.isArray(data.msg)) {
		messageUnit(source.entries[0] as Json, 'message unit 0', notes);
		return source.entries as ReportMsgUnit[];
	}
	if (source.field === 'data') {
		messageUnit(data, 'message unit 0', notes);
		return [data as unknown as ReportMsgUnit];
	}
	// A list (msg_list, or msg as a list): a unit that cannot be read is skipped, not the callback.
	let firstReason: string | undefined;
	lenientList(
		data,
		source.field,
		'data',
		(unit, index) => {
			let reason: string | undefined;
			if (!isRecord(unit)) {
				reason = `message unit ${index} is not an object`;
			} else {
				try {
					messageUnit(unit, `message unit ${index}`, notes);
				} catch (error) {
					// Only Invalid is reachable with JSON input; anything else still skips the unit.
					reason =
						error instanceof Invalid ? error.message : `message unit ${index}: ${String(error)}`;
				}
			}
			firstReason ??= reason;
			return reason;
		},
		false,
		notes,
	);
	const units = data[source.field] as ReportMsgUnit[];
	if (units.length === 0) {
		throw new Invalid(`report_new_msg has no readable message unit (${firstReason})`);
	}
	return units;
}

/** Ids a client may send as numbers: read as the strings every other client sends. */
const ID_FIELDS = ['msg_id', 'transferid', 'file_index'] as const;

function messageUnit(unit: Json, where: string, notes: Notes): void {
	unit.msg_type = numberField(unit, 'msg_type', where, true);
	for (const field of ID_FIELDS) {
		const value = unit[field];
		if (typeof value === 'number' && Number.isFinite(value)) unit[field] = String(value);
	}
	if (unit.msg_id !== undefined && unit.msg_id !== null && typeof unit.msg_id !== 'string') {
		throw new Invalid(`${where}: "msg_id" must be a string`);
	}
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
	for (const field of ['msg_timestamp', 'paysubtype', 'sub_type']) {
		const value = numberField(unit, field, where, false);
		if (value === undefined) delete unit[field];
		else unit[field] = value;
	}
	if (unit.msg_type === 1 && typeof unit.msg !== 'string') {
		throw new Invalid(`${where}: a text message needs "msg" as a string`);
	}
	if (unit.atUserList !== undefined && unit.atUserList !== null) {
		lenientList(unit, 'atUserList', where, nonEmptyString, false, notes, `${where}.atUserList`);
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

function nonEmpty(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

function requiredString(obj: Json, field: string, where: string): void {
	if (!nonEmpty(obj[field])) {
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

/** A number, or a numeric string read as one; `lenient`: undefined instead of an error. */
function numberField(
	obj: Json,
	field: string,
	where: string,
	required: boolean,
	lenient = false,
): number | undefined {
	const value = obj[field];
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
		return Number(value);
	}
	if (lenient || (!required && (value === undefined || value === null))) return undefined;
	throw new Invalid(`Field "${where}.${field}" must be a number`);
}

/** Why an entry cannot be kept, or undefined when it can; `index` is its place in the list. */
type EntryCheck = (entry: unknown, index: number) => string | undefined;

/**
 * A list of entries, each checked: a bad one is removed from the list itself (the good ones move
 * up, nothing is copied: reports reach tens of MB) and noted in `skipped` under `name`. A field
 * that is not a list at all is still an error.
 */
function lenientList(
	obj: Json,
	field: string,
	where: string,
	check: EntryCheck,
	missingIsEmpty: boolean,
	notes: Notes,
	name: string = field,
): void {
	let list = obj[field];
	if ((list === undefined || list === null) && missingIsEmpty) list = obj[field] = [];
	if (!Array.isArray(list)) throw new Invalid(`Field "${where}.${field}" must be a list`);
	let kept = 0;
	for (let index = 0; index < list.length; index++) {
		const reason = check(list[index], index);
		if (reason === undefined) {
			if (kept !== index) list[kept] = list[index];
			kept++;
		} else {
			notes.skip(name, index, reason);
		}
	}
	list.length = kept;
}

function withWxid(entry: unknown): string | undefined {
	if (!isRecord(entry)) return 'not an object';
	if (!nonEmpty(entry.wxid)) return '"wxid" must be a non-empty string';
	return undefined;
}

function nonEmptyString(entry: unknown): string | undefined {
	return nonEmpty(entry) ? undefined : 'not a non-empty string';
}

/** A room of report_room_member_info; its members are checked one by one as well. */
function roomData(notes: Notes): EntryCheck {
	return (entry, index) => {
		if (!isRecord(entry)) return 'not an object';
		if (!nonEmpty(entry.room_wxid)) return '"room_wxid" must be a non-empty string';
		const members = entry.memberInfo_list;
		if (members !== undefined && members !== null && !Array.isArray(members)) {
			return '"memberInfo_list" must be a list';
		}
		const list = `room_data_list[${index}].memberInfo_list`;
		lenientList(entry, 'memberInfo_list', list, withWxid, true, notes, list);
		return undefined;
	};
}

function isRecord(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assertNever(value: never): never {
	throw new Error(`unhandled action ${String(value)}`);
}
