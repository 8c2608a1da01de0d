'use strict';
const net = require('net');

/** A loopback port nobody listens on right now (the OS picks it). */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/**
 * Every port a cluster needs; `fixed` (e.g. `{main: 5678}`) wins, the rest are free ports. One
 * task-runner broker port per n8n process (main, webhooks, worker).
 */
async function clusterPorts(webhookProcesses, fixed = {}) {
	const used = new Set();
	const unique = async () => {
		for (;;) {
			const port = await freePort();
			if (!used.has(port)) return used.add(port) && port;
		}
	};
	const pick = async (name) => fixed[name] ?? (await unique());
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
