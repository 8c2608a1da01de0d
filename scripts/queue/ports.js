'use strict';
const net = require('net');

/** @import { AddressInfo } from 'net' */

/**
 * The loopback ports of one cluster.
 * @typedef {object} ClusterPorts
 * @property {number} postgres
 * @property {number} redis
 * @property {number} main
 * @property {number} balancer
 * @property {number} workerHealth
 * @property {number[]} webhooks One per webhook process.
 * @property {number[]} runners One task-runner broker per n8n process (main, webhooks, worker).
 */

/**
 * A loopback port nobody listens on right now (the OS picks it).
 * @returns {Promise<number>}
 */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

/**
 * Every port a cluster needs; `fixed` (e.g. `{main: 5678}`) wins, the rest are free ports. One
 * task-runner broker port per n8n process (main, webhooks, worker).
 * @param {number} webhookProcesses
 * @param {Partial<Omit<ClusterPorts, 'runners'>>} [fixed]
 * @returns {Promise<ClusterPorts>}
 */
async function clusterPorts(webhookProcesses, fixed = {}) {
	/** @type {Set<number>} */
	const used = new Set();
	const unique = async () => {
		for (;;) {
			const port = await freePort();
			if (!used.has(port)) return used.add(port) && port;
		}
	};
	/** @param {'postgres' | 'redis' | 'main' | 'balancer' | 'workerHealth'} name */
	const pick = async (name) => fixed[name] ?? (await unique());
	/** @type {ClusterPorts} */
	const ports = {
		postgres: await pick('postgres'),
		redis: await pick('redis'),
		main: await pick('main'),
		balancer: await pick('balancer'),
		workerHealth: await pick('workerHealth'),
		webhooks: [],
		runners: [],
	};
	for (let i = 0; i < webhookProcesses; i++) {
		ports.webhooks.push(fixed.webhooks?.[i] ?? (await unique()));
	}
	for (let i = 0; i < webhookProcesses + 2; i++) ports.runners.push(await unique());
	return ports;
}

module.exports = { freePort, clusterPorts };
