import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { WeHubSimulator } from '../../sim/WeHubSimulator';
import { freePort } from './harness/freePort';
import { forgetGroup, killGroup, registerGroup } from './harness/processRegistry';
import { REPO_ROOT } from './harness/runtime';
import { DEMO_APPID, DEMO_SECRET, pollUntil, textsTo } from './fixtures/demoSession';

const PRINTED_WITHIN_MS = 180_000;

interface Start {
	child: ChildProcess;
	output: () => string;
	/** Resolves with the output once npm start has printed its usage (with "Stop with Ctrl+C."). */
	printed: Promise<string>;
	exited: Promise<void>;
}

/** `npm start` in its own process group, as a terminal runs it (Ctrl+C signals the whole group). */
function npmStart(env: Record<string, string>): Start {
	const child = spawn('npm', ['start'], {
		cwd: REPO_ROOT,
		env: { ...process.env, ...env },
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	registerGroup(child.pid as number);
	let text = '';
	const exited = new Promise<void>((resolve) =>
		child.once('close', () => {
			forgetGroup(child.pid as number);
			resolve();
		}),
	);
	const printed = new Promise<string>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`npm start printed no usage in time:\n${text.slice(-5000)}`)),
			PRINTED_WITHIN_MS,
		);
		const append = (chunk: Buffer) => {
			text += chunk.toString();
			if (text.includes('Stop with Ctrl+C.')) {
				clearTimeout(timer);
				resolve(text);
			}
		};
		child.stdout?.on('data', append);
		child.stderr?.on('data', append);
		void exited.then(() => {
			clearTimeout(timer);
			reject(new Error(`npm start exited before it was ready:\n${text.slice(-5000)}`));
		});
	});
	printed.catch(() => undefined);
	return { child, output: () => text, printed, exited };
}

/** Ctrl+C: SIGINT to the group; npm start stops n8n (its own process group) and exits with it. */
async function ctrlC(start: Start): Promise<void> {
	if (start.child.exitCode !== null || start.child.signalCode !== null) return;
	killGroup(start.child.pid as number, 'SIGINT');
	const timer = setTimeout(() => killGroup(start.child.pid as number, 'SIGKILL'), 30_000);
	await start.exited;
	clearTimeout(timer);
}

/** The value printed after `label` on its line. */
function printed(output: string, label: string): string {
	const line = output.split('\n').find((l) => l.trimStart().startsWith(label));
	if (!line) throw new Error(`npm start printed no "${label}" line:\n${output}`);
	return line.slice(line.indexOf(label) + label.length).trim();
}

/**
 * `npm start` as a first-hour user runs it, on a fresh user folder (free ports instead of 5678 and
 * 5691): both demos active, the WebSocket demo's URLs printed, its simulator command working as
 * printed; the second start imports nothing again and stays fast.
 */
describe('npm start (a fresh user folder, then a second start)', () => {
	let userFolder: string;
	let port: number;
	let webSocketPort: number;
	let env: Record<string, string>;
	const starts: Start[] = [];
	let firstOutput: string;

	beforeAll(async () => {
		userFolder = mkdtempSync(join(tmpdir(), 'wehub-e2e-npm-start-'));
		port = await freePort();
		webSocketPort = await freePort();
		env = {
			WEHUB_N8N_USER_FOLDER: userFolder,
			N8N_PORT: String(port),
			WEHUB_WS_DEMO_PORT: String(webSocketPort),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		};
		const first = npmStart(env);
		starts.push(first);
		firstOutput = await first.printed;
	});

	afterAll(async () => {
		for (const start of starts) await ctrlC(start);
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	});

	it('activates both demos and prints the WebSocket demo’s callback, upload and socket URLs', () => {
		const callback = `http://127.0.0.1:${webSocketPort}/wehub-ws`;
		// The webhook demo as before.
		expect(printed(firstOutput, 'WeHub callback URL:')).toBe(
			`http://localhost:${port}/webhook/wehub`,
		);
		expect(firstOutput).toContain(
			`Active demo workflows: WeHub Demo, http://localhost:${port}/workflow/`,
		);
		expect(firstOutput).toMatch(
			/^ +WeHub Demo \(WebSocket\), http:\/\/localhost:\d+\/workflow\/\w+$/m,
		);
		// The WebSocket demo on its own listener.
		const block = firstOutput.slice(
			firstOutput.indexOf('WeHub Demo (WebSocket): its own listener'),
		);
		expect(printed(block, 'WeHub callback URL:')).toBe(callback);
		expect(printed(block, 'WeHub upload URL:')).toBe(`${callback}/upload`);
		expect(printed(block, 'WebSocket:')).toBe(
			`WeHub 0.4.2+ log in at the callback URL and are moved to ws://127.0.0.1:${webSocketPort}/wehub-ws/ws`,
		);
		expect(firstOutput).not.toContain('Note:');
	});

	it('the printed simulator command gets both pongs pushed over the WebSocket, with no poll', () => {
		const block = firstOutput.slice(
			firstOutput.indexOf('WeHub Demo (WebSocket): its own listener'),
		);
		const command = printed(block, 'Simulate:');
		expect(command).toMatch(/^npx wehub-sim /);
		const args = command.split(' ').slice(2);

		const run = spawnSync(
			process.execPath,
			[join(REPO_ROOT, 'dist', 'sim', 'cli.js'), ...args, '--quiet', '--json'],
			{
				cwd: REPO_ROOT,
				encoding: 'utf8',
				timeout: 60_000,
			},
		);

		expect(run.status).toBe(0);
		const [bot] = (JSON.parse(run.stdout) as { bots: Array<Record<string, unknown>> }).bots;
		expect(bot).toMatchObject({
			polls: 0,
			pushesReceived: 2,
			tasksExecuted: 2,
			duplicateTaskIds: 0,
			violationList: [],
		});
	});

	it('keeps the webhook demo answering a ping with a pong through pull_task', async () => {
		const bot = new WeHubSimulator({
			callbackUrl: `http://localhost:${port}/webhook/wehub`,
			appid: DEMO_APPID,
			wxid: 'wxid_npm_start_bot',
			secretKey: DEMO_SECRET,
			clientVersion: '0.4.26',
		});
		try {
			expect((await bot.login()).ok).toBe(true);
			expect(bot.webSocket).toBeUndefined(); // n8n's webhook URL offers no socket
			await bot.reportContact({ friends: 2, groups: 1 });
			const room = bot.contacts.groups[0].wxid;
			await bot.sendMessage('text', { text: 'ping', room });
			await pollUntil(bot, () => textsTo(bot, room).length > 0);
			expect(textsTo(bot, room)).toEqual(['pong']);
			expect(bot.violations).toEqual([]);
		} finally {
			await bot.close();
		}
	});

	it('starts again without importing anything, with both demos live', async () => {
		await ctrlC(starts[0]);
		const second = npmStart(env);
		starts.push(second);

		const output = await second.printed;

		expect(output).toContain(
			'examples and credential unchanged since the last start: not imported again',
		);
		expect(output).not.toContain('[wehub] importing');
		expect(output).not.toContain('Note:');
		const seconds = Number(/ready in (\d+) s/.exec(output)?.[1]);
		console.log(
			`[e2e npm start] first start ready in ${/ready in (\d+) s/.exec(firstOutput)?.[1]} s, second in ${seconds} s`,
		);
		// About 12-19 s on 2 cores; the imports alone take longer than this.
		expect(seconds).toBeLessThan(45);
	});
});
