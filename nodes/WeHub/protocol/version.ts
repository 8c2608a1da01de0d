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
