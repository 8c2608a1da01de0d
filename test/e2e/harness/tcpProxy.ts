import { createServer, connect, type AddressInfo, type Socket } from 'net';

/**
 * A TCP forwarder on loopback, standing where a NAT or a proxy stands between WeHub and n8n: it
 * passes every byte through unchanged (HTTP, WebSocket upgrades and frames alike) and can cut
 * every connection at once, as a network drop does: both sides get a reset, no close frame.
 */
export interface TcpProxy {
	readonly port: number;
	/** Resets every open connection on both sides; returns how many there were. */
	cutAll(): number;
	close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
	const pairs = new Set<[Socket, Socket]>();
	const server = createServer((client) => {
		const upstream = connect(target);
		const pair: [Socket, Socket] = [client, upstream];
		pairs.add(pair);
		const end = () => {
			pairs.delete(pair);
			client.destroy();
			upstream.destroy();
		};
		client.on('error', end).on('close', end);
		upstream.on('error', end).on('close', end);
		client.pipe(upstream);
		upstream.pipe(client);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		port,
		cutAll() {
			const count = pairs.size;
			for (const pair of [...pairs]) {
				pairs.delete(pair);
				for (const socket of pair) socket.resetAndDestroy();
			}
			return count;
		},
		async close() {
			for (const pair of [...pairs]) for (const socket of pair) socket.destroy();
			pairs.clear();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
