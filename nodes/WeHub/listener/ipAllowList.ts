import { BlockList, isIP } from 'node:net';

/** Who may talk to the listener: single addresses and CIDR ranges, IPv4 and IPv6. */
export interface IpAllowList {
	allows(address: string | undefined): boolean;
}

/**
 * Builds an allow-list from entries like `192.168.1.20`, `10.0.0.0/8`, `::1`. An empty list allows
 * every address. Throws on an entry that is not an address or range, naming it, so a typo fails
 * activation instead of silently locking WeHub out.
 */
export function parseIpAllowList(entries: string[]): IpAllowList {
	if (entries.length === 0) return { allows: () => true };
	const list = new BlockList();
	for (const entry of entries) {
		const [address, prefix, extra] = entry.split('/');
		const family = isIP(address);
		const bits = prefix === undefined ? undefined : Number(prefix);
		const maxBits = family === 6 ? 128 : 32;
		if (
			family === 0 ||
			extra !== undefined ||
			(bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > maxBits))
		) {
			throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8)`);
		}
		const type = family === 6 ? 'ipv6' : 'ipv4';
		if (bits === undefined) list.addAddress(address, type);
		else list.addSubnet(address, bits, type);
	}
	return {
		allows(remote) {
			if (!remote) return false;
			// IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d.
			const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
			const address = mapped ? mapped[1] : remote;
			const family = isIP(address);
			if (family === 0) return false;
			return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
		},
	};
}

/** Splits the user's text (commas, spaces, new lines) into entries. */
export function splitIpList(text: string): string[] {
	return text
		.split(/[\s,;]+/)
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}
