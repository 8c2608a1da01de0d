import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '../e2e/harness/freePort';

/**
 * A private redis-server for one test file: a free loopback port, no RDB snapshots, optionally
 * an append-only file with fsync on every write (for durability tests). Stop it in afterAll.
 */
export interface RedisServer {
	host: '127.0.0.1';
	port: number;
	/** The data folder (append-only file), removed by stop(). */
	dir: string;
	/** Kills redis-server (SIGKILL: no final save) and starts it again on the same port and data. */
	restart(): Promise<void>;
	stop(): Promise<void>;
}

export interface RedisServerOptions {
	appendOnly?: boolean;
}

const START_TIMEOUT_MS = 10_000;

export function redisServerAvailable(): boolean {
	return spawnSync('redis-server', ['--version']).status === 0;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
	if (!redisServerAvailable()) {
		throw new Error(
			'redis-server was not found on PATH. The store tests need a real Redis: install it ' +
				'(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) and run again.',
		);
	}
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'wehub-redis-'));
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
	if (options.appendOnly) args.push('--appendonly', 'yes', '--appendfsync', 'always');
	let child = await launch(args, port);

	return {
		host: '127.0.0.1',
		port,
		dir,
		async restart() {
			await kill(child);
			child = await launch(args, port);
		},
		async stop() {
			await kill(child);
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

async function launch(args: string[], port: number): Promise<ChildProcess> {
	const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const deadline = Date.now() + START_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) break;
		if (await answersPing(port)) return child;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	child.kill('SIGKILL');
	throw new Error(`redis-server did not answer PING on port ${port}:\n${output}`);
}

function kill(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		child.once('exit', () => resolve());
		child.kill('SIGKILL');
	});
}

function answersPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = new Socket();
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(500, () => done(false));
		socket.once('error', () => done(false));
		socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
		socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
	});
}
