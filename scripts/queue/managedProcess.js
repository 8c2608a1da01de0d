// One server process of the local queue-mode cluster (PostgreSQL, Redis, an n8n process): started
// in its own process group, its output kept, ready when a probe says so, stopped by signal.
'use strict';
const { spawn } = require('child_process');

/** @import { ChildProcess } from 'child_process' */

/**
 * A running server process of the cluster.
 * @typedef {object} ManagedProcess
 * @property {string} name
 * @property {number} pid
 * @property {boolean} running Whether it has not exited yet.
 * @property {Promise<void>} exited Resolves once it has exited (or failed to start).
 * @property {() => string} logs Its output so far (the last MAX_LOG_CHARS).
 * @property {(signal?: NodeJS.Signals) => Promise<void>} kill Sends `signal` (default SIGKILL) to
 *   its whole process group and waits until it has exited.
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL after a grace period.
 */

/**
 * Told the pid of each process group as it starts and once it has exited.
 * @typedef {object} ProcessHooks
 * @property {(pid: number) => void} [spawned]
 * @property {(pid: number) => void} [exited]
 */

const MAX_LOG_CHARS = 1_000_000;
const STOP_GRACE_MS = 20_000;

/** @param {number} ms */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * @param {number} pid The group leader.
 * @param {NodeJS.Signals} signal
 * @returns {boolean} Whether the group was still there.
 */
function signalGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false; // already gone
	}
}

/**
 * Spawns `command` (or adopts `child`) detached (its own process group, so children such as n8n's task runners stop
 * with it) and resolves once `ready()` returns true. `hooks.spawned(pid)` / `hooks.exited(pid)`
 * let a caller record the group (the e2e harness kills what a crashed test leaves behind).
 * @param {string} name Names the process in logs and errors.
 * @param {string} command
 * @param {string[]} args
 * @param {object} options
 * @param {NodeJS.ProcessEnv} [options.env]
 * @param {ChildProcess} [options.child] A process the caller spawned the same way (detached,
 *   stdout and stderr piped) instead of `command`.
 * @param {(handle: ManagedProcess) => Promise<boolean>} options.ready
 * @param {number} [options.readyTimeoutMs]
 * @param {ProcessHooks} [options.hooks]
 * @param {(text: string) => void} [options.echo] Gets its output as it comes.
 * @returns {Promise<ManagedProcess>}
 */
async function startManagedProcess(
	name,
	command,
	args,
	{ env = process.env, child: spawned, ready, readyTimeoutMs = 120_000, hooks = {}, echo },
) {
	let logText = '';
	const child =
		spawned ?? spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	const pid = child.pid;
	if (pid === undefined) throw new Error(`${name}: could not start ${command}`);
	hooks.spawned?.(pid);
	/** @param {Buffer | string} chunk */
	const append = (chunk) => {
		const text = chunk.toString();
		if (echo) echo(text);
		logText += text;
		if (logText.length > MAX_LOG_CHARS) logText = logText.slice(-MAX_LOG_CHARS);
	};
	const { stdout, stderr } = child;
	if (!stdout || !stderr) throw new Error(`${name}: its stdout and stderr must be piped`);
	stdout.on('data', append);
	stderr.on('data', append);
	/** @type {string | number | NodeJS.Signals | null | undefined} undefined while it runs */
	let exitStatus;
	/** @type {Promise<void>} */
	const exited = new Promise((resolve) => {
		child.once('error', (error) => {
			exitStatus = error.message;
			resolve();
		});
		// 'close', not 'exit': the last output of a failing process arrives after 'exit'.
		child.once('close', (code, signal) => {
			exitStatus = code ?? signal;
			hooks.exited?.(pid);
			signalGroup(pid, 'SIGKILL'); // children of a crashed leader would outlive it
			resolve();
		});
	});

	const handle = {
		name,
		pid,
		exited,
		get running() {
			return exitStatus === undefined;
		},
		logs: () => logText,
		/**
		 * Sends `signal` to the whole group and waits until the process has exited.
		 * @param {NodeJS.Signals} [signal]
		 */
		async kill(signal = 'SIGKILL') {
			if (exitStatus !== undefined) return;
			signalGroup(pid, signal);
			await exited;
		},
		/** SIGTERM, then SIGKILL after a grace period. */
		async stop() {
			if (exitStatus !== undefined) return;
			signalGroup(pid, 'SIGTERM');
			const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
			await exited;
			clearTimeout(timer);
		},
	};

	const started = Date.now();
	for (;;) {
		if (exitStatus !== undefined) {
			throw new Error(
				`${name} exited (${exitStatus}) before it was ready:\n${logText.slice(-4000)}`,
			);
		}
		if (await ready(handle).catch(() => false)) return handle;
		if (Date.now() - started > readyTimeoutMs) {
			await handle.kill('SIGKILL');
			throw new Error(`${name} not ready after ${readyTimeoutMs} ms:\n${logText.slice(-4000)}`);
		}
		await sleep(250);
	}
}

module.exports = { startManagedProcess, sleep };
