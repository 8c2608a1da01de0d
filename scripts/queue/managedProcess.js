// One server process of the local queue-mode cluster (PostgreSQL, Redis, an n8n process): started
// in its own process group, its output kept, ready when a probe says so, stopped by signal.
'use strict';
const { spawn } = require('child_process');

const MAX_LOG_CHARS = 1_000_000;
const STOP_GRACE_MS = 20_000;

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

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
 */
async function startManagedProcess(
	name,
	command,
	args,
	{ env = process.env, child: spawned, ready, readyTimeoutMs = 120_000, hooks = {}, echo } = {},
) {
	let logText = '';
	// `child`: a process the caller spawned the same way (detached, stdout and stderr piped).
	const child =
		spawned ?? spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	const pid = child.pid;
	if (pid === undefined) throw new Error(`${name}: could not start ${command}`);
	hooks.spawned?.(pid);
	const append = (chunk) => {
		const text = chunk.toString();
		if (echo) echo(text);
		logText += text;
		if (logText.length > MAX_LOG_CHARS) logText = logText.slice(-MAX_LOG_CHARS);
	};
	child.stdout.on('data', append);
	child.stderr.on('data', append);
	let exitStatus;
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
		/** Sends `signal` to the whole group and waits until the process has exited. */
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
