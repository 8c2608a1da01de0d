// A throw-away redis-server on a loopback port: n8n's Bull queue and the WeHub task store.
'use strict';
const { execFileSync } = require('child_process');
const { startManagedProcess } = require('./managedProcess');

/** @import { ManagedProcess, ProcessHooks } from './managedProcess' */

/**
 * @typedef {object} RunningRedis
 * @property {string} host
 * @property {number} port
 * @property {ManagedProcess} server
 * @property {() => Promise<void>} stop
 */

function assertRedisInstalled() {
	try {
		execFileSync('redis-server', ['--version'], { stdio: 'pipe' });
	} catch {
		throw new Error(
			"redis-server not found: install Debian's redis-server package (apt-get install redis-server)",
		);
	}
}

/**
 * No persistence: everything lives as long as the process.
 * @param {object} options
 * @param {number} options.port
 * @param {ProcessHooks} [options.hooks]
 * @param {(text: string) => void} [options.echo] Gets its output as it comes.
 * @returns {Promise<RunningRedis>}
 */
async function startRedis({ port, hooks, echo }) {
	assertRedisInstalled();
	const server = await startManagedProcess(
		'redis',
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{
			ready: async (handle) => /Ready to accept connections/i.test(handle.logs()),
			readyTimeoutMs: 30_000,
			hooks,
			echo,
		},
	);
	return {
		host: '127.0.0.1',
		port,
		server,
		stop: () => server.stop(),
	};
}

module.exports = { startRedis };
