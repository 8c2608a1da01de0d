'use strict';

/**
 * Whether the own listener of a WeHub Trigger ("Receive Via: Own Listener") answers on
 * `host:port`: it serves GET /healthz while it listens. n8n 2.x opens it 1-3 s after n8n itself
 * is ready (activation is asynchronous).
 * @param {string} host The listener's Host parameter (0.0.0.0 and :: are asked on loopback).
 * @param {number} port
 * @returns {Promise<boolean>}
 */
async function listenerLive(host, port) {
	const address = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
	const hostPart = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
	try {
		const response = await fetch(`http://${hostPart}:${port}/healthz`, {
			signal: AbortSignal.timeout(2000),
		});
		await response.arrayBuffer();
		return response.ok;
	} catch {
		return false; // not listening yet
	}
}

module.exports = { listenerLive };
