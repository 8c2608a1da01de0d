/** WeHub client versions ("0.1.5", "0.4.26"; sometimes with a build suffix like "0.3.8.1"). */

export type ClientVersion = [number, number, number];

/** The first three numeric parts, or undefined when `v` is missing or not a version. */
export function parseClientVersion(v?: string): ClientVersion | undefined {
	if (typeof v !== 'string') return undefined;
	const match = /^\s*v?(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?/i.exec(v);
	if (!match) return undefined;
	return [Number(match[1]), Number(match[2]), match[3] === undefined ? 0 : Number(match[3])];
}

export function compareVersions(a: ClientVersion, b: ClientVersion): number {
	for (let i = 0; i < 3; i++) {
		if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
	}
	return 0;
}

/** False when `v` is unknown: features of later clients are only used when we know they exist. */
export function versionAtLeast(v: string | undefined, min: string): boolean {
	const have = parseClientVersion(v);
	const need = parseClientVersion(min);
	if (!have || !need) return false;
	return compareVersions(have, need) >= 0;
}

/** 0.2.0 and later answer most actions with `common_ack`; unknown versions are treated as 0.1.x. */
export function usesCommonAck(v?: string): boolean {
	return versionAtLeast(v, '0.2.0');
}

/**
 * What a client is at least when it sends a field only later clients send: 0.2.0, the first
 * version that answers most actions with `common_ack`.
 */
export const LATER_CLIENT_VERSION = '0.2.0';

/** Actions the 0.1.5 document does not have (the version that added each in brackets). */
const LATER_ACTIONS: ReadonlySet<string> = new Set([
	'report_contact_update', // 0.2.6
	'report_friend_removed', // 0.3.8
	'report_zoom_check_status', // 0.4.0
	'report_user_info', // 0.4.6
	'report_room_removed', // 0.4.26
]);
/** Message-unit fields of later clients. */
const LATER_UNIT_FIELDS = ['msg_id', 'msg_timestamp', 'atUserList', 'sub_type'] as const;
/** Units looked at in a msg_list: evidence is in every unit of a later client, so a few suffice. */
const UNITS_LOOKED_AT = 3;

/**
 * The field (or action) of a callback body that only a 0.2.0 or later client sends, or undefined.
 * WeHub says its version only in `login` and `logout`: a trigger set up while a bot was logged in
 * never hears it, and would answer a 0.2+ client with `<action>_ack`. Takes the parsed body as it
 * came (a failed validation included), never throws, and looks at a bounded number of fields.
 */
export function laterClientEvidence(body: unknown): string | undefined {
	if (!isRecord(body)) return undefined;
	if (typeof body.client_session === 'string') return 'client_session';
	const action = typeof body.action === 'string' ? body.action : '';
	if (LATER_ACTIONS.has(action)) return action;
	const data = body.data;
	if (!isRecord(data)) return undefined;
	switch (action) {
		case 'report_contact':
			return Array.isArray(data.public_list) ? 'public_list' : undefined;
		case 'logout':
			return typeof data.machine_id === 'string' ? 'machine_id' : undefined;
		case 'report_room_member_change':
			return typeof data.owner_wxid === 'string' ? 'owner_wxid' : undefined;
		case 'report_new_msg':
			return unitEvidence(data);
		default:
			return undefined;
	}
}

function unitEvidence(data: Record<string, unknown>): string | undefined {
	const units = isRecord(data.msg)
		? [data.msg]
		: Array.isArray(data.msg_list)
			? data.msg_list.slice(0, UNITS_LOOKED_AT)
			: [data];
	for (const unit of units) {
		if (!isRecord(unit)) continue;
		const field = LATER_UNIT_FIELDS.find((name) => unit[name] !== undefined && unit[name] !== null);
		if (field) return field;
	}
	return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
