/**
 * Which WeHub client version the simulator plays, and what that changes on the wire.
 * Thresholds follow PROTOCOL.md; where it only says "later", the first 0.2.x release that the
 * later public documentation describes (0.2.0) is assumed, and kept here in one table.
 */

export type Version = [number, number, number];

export const FEATURE_SINCE = {
	/** `<action>_ack` for every action before this; `common_ack` for most actions from it. */
	commonAck: '0.2.0',
	/** `msg_id`, `msg_timestamp`, `atUserList` on message units; `sex`/region on people. */
	messageIds: '0.2.0',
	/** Task 1 targets `wxid_to` (and `at_list`) instead of `room_wxid` + `wxid`. */
	wxidToTasks: '0.2.0',
	/** Link units carry `sub_type` and an appmsg `raw_msg`; rooms carry name/owner in member info. */
	richerRooms: '0.2.0',
	loginNonce: '0.2.2',
	localIp: '0.2.3',
	machineId: '0.2.15',
	voiceUpload: '0.3.0',
	fileUpload: '0.3.3',
	friendRemoved: '0.3.8',
	/** Tasks 14-19 (re-report contacts ... accept room invitation). */
	laterTasks: '0.2.0',
	/** Tasks 100 and 101: local tags. */
	tagTasks: '0.4.2',
	/** login_ack's `extension_protocol` moves every later callback onto a WebSocket. */
	webSocket: '0.4.2',
	clientSession: '0.4.26',
} as const;

/**
 * `major.minor.patch`, read from a client version string. WeHub builds carry a fourth number
 * ("0.3.8.1") and some logs write a leading "v" ("v0.4.26"): both are accepted and only the first
 * three numbers count, so "0.3.8.1" plays client 0.3.8. Anything else ("0.4", "0.4.26-beta",
 * "latest") is not a version this simulator can play.
 */
export function parseVersion(version: string): Version | undefined {
	const match = /^v?(\d+)\.(\d+)\.(\d+)(?:\.\d+)*$/i.exec(version.trim());
	if (!match) return undefined;
	return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function versionAtLeast(version: string, minimum: string): boolean {
	const have = parseVersion(version);
	const need = parseVersion(minimum);
	if (!have || !need) return false;
	for (let i = 0; i < 3; i++) {
		if (have[i] !== need[i]) return have[i] > need[i];
	}
	return true;
}

export function supports(version: string, feature: keyof typeof FEATURE_SINCE): boolean {
	return versionAtLeast(version, FEATURE_SINCE[feature]);
}

/** Actions that keep their own ack type on every client version. */
const OWN_ACK_ACTIONS = new Set(['login', 'logout', 'pull_task']);

/** The ack_type this client version expects in the answer to `action`. */
export function expectedAckType(action: string, version: string): string {
	if (!supports(version, 'commonAck') || OWN_ACK_ACTIONS.has(action)) return `${action}_ack`;
	return 'common_ack';
}
