import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { demoCredential, REPO_ROOT, type WorkflowJson } from '../harness/runtime';
import { startQueueModeN8n, type QueueCluster } from '../harness/queueCluster';
import { closeAllTaskStores, openTaskStore } from '../../../nodes/WeHub/store/openTaskStore';
import type { TaskStore } from '../../../nodes/WeHub/store/TaskStore';
import { WeHubSimulator } from '../../../sim/WeHubSimulator';
import { createBots } from '../../../sim/runBots';
import { sleep } from '../../helpers/sleep';

/**
 * Scale-out, proven on real processes: n8n 2.x in queue mode (PostgreSQL, Redis, main, two
 * `n8n webhook` processes behind a round-robin balancer, one `n8n worker`) running the example
 * "WeHub Demo" workflow with its credential on the Redis store. WeHub talks to the webhook
 * processes only; the WeHub node that queues each pong runs on the worker.
 */
const APPID = 'queue-e2e-appid';
const SECRET = 'queue-e2e-secret';
const CALLBACK_PATH = 'wehub';
const BOTS = 3;
const PINGS_PER_BOT = 4;

jest.setTimeout(300_000);

/** The example demo workflow, saving uploads into `filesFolder` instead of Docker's home. */
function demoWorkflow(filesFolder: string): WorkflowJson {
	const workflow = JSON.parse(
		readFileSync(join(REPO_ROOT, 'examples', 'wehub-demo.json'), 'utf8'),
	) as WorkflowJson;
	const nodes = workflow.nodes.map((node) =>
		node.name === 'Save Uploaded File'
			? {
					...node,
					parameters: { ...node.parameters, fileName: `=${filesFolder}/{{ $json.file_name }}` },
				}
			: node,
	);
	return { ...workflow, nodes, active: true };
}

/** Which chat each pong went to: one entry per task 1 "pong" the bot pulled. */
function pongTargets(bot: WeHubSimulator): string[] {
	return bot
		.sentTexts()
		.filter((sent) => sent.text === 'pong')
		.map((sent) => sent.to);
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 90_000) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(250);
	}
}

/** Sends "ping" in a private chat from a sender used once, so each pong names its ping. */
async function ping(bot: WeHubSimulator, sender: string) {
	const sent = await bot.sendMessage('text', { from: sender, text: 'ping' });
	expect(sent.ok).toBe(true);
	return sender;
}

describe('n8n queue mode with the WeHub Redis store', () => {
	let cluster: QueueCluster;
	let store: TaskStore;
	let bots: WeHubSimulator[];
	let filesFolder: string;
	const pinged = new Map<WeHubSimulator, string[]>();

	beforeAll(async () => {
		filesFolder = mkdtempSync(join(tmpdir(), 'wehub-queue-files-'));
		const started = Date.now();
		cluster = await startQueueModeN8n({
			webhookProcesses: 2,
			credentials: ({ redis }) => [demoCredential({ appId: APPID, secretKey: SECRET, redis })],
			workflows: [demoWorkflow(filesFolder)],
			readyPaths: [CALLBACK_PATH],
			workerEnv: { N8N_RESTRICT_FILE_ACCESS_TO: filesFolder },
		});
		console.log(`[e2e queue] cluster ready in ${Date.now() - started} ms`);
		store = await openTaskStore({
			backend: 'redis',
			host: cluster.redis.host,
			port: cluster.redis.port,
			keyPrefix: 'wehub:',
		});
		bots = createBots(BOTS, {
			callbackUrl: cluster.webhookUrl(CALLBACK_PATH),
			appid: APPID,
			wxid: 'wxid_qbot1',
			secretKey: SECRET,
			pollIntervalMs: 250,
		});
		for (const bot of bots) {
			expect((await bot.login()).ok).toBe(true);
			expect((await bot.reportContact({ friends: 5, groups: 1 })).ok).toBe(true);
			pinged.set(bot, []);
			bot.startPolling();
		}
	});

	afterAll(async () => {
		await Promise.all((bots ?? []).map((bot) => bot.close()));
		await closeAllTaskStores();
		if (cluster && process.env.WEHUB_E2E_QUEUE_LOGS) console.log(cluster.logs());
		await cluster?.stop();
		if (filesFolder) rmSync(filesFolder, { recursive: true, force: true });
	});

	it('answers pings from several bots through two webhook processes, each pong exactly once', async () => {
		await Promise.all(
			bots.map(async (bot, b) => {
				for (let i = 0; i < PINGS_PER_BOT; i++) {
					pinged.get(bot)?.push(await ping(bot, `wxid_pinger_${b}_${i}`));
					// Chatter that must not be answered.
					expect((await bot.sendMessage('text', { text: '今天的会几点开始？' })).ok).toBe(true);
				}
			}),
		);

		await waitFor('a pong for every ping', () =>
			bots.every((bot) => pongTargets(bot).length >= (pinged.get(bot) ?? []).length),
		);
		await sleep(2000); // a duplicate would show up within a few polls

		for (const bot of bots) {
			expect(pongTargets(bot).sort()).toEqual([...(pinged.get(bot) ?? [])].sort());
			expect(bot.stats.duplicateTaskIds).toBe(0);
			expect(bot.violations).toEqual([]);
		}
		// Both webhook processes took part, alternately.
		const [first, second] = cluster.balancer?.counts() ?? [];
		expect(first).toBeGreaterThan(20);
		expect(Math.abs(first - second)).toBeLessThanOrEqual(1);
	});

	it('records every task result WeHub reported in the shared Redis store', async () => {
		await waitFor('every pong reported done', async () => {
			for (const bot of bots) {
				const tasks = await store.list({ appid: APPID, wxid: bot.wxid });
				if (tasks.some((task) => task.state !== 'done')) return false;
			}
			return true;
		});
		for (const bot of bots) {
			const tasks = await store.list({ appid: APPID, wxid: bot.wxid });
			expect(tasks).toHaveLength(PINGS_PER_BOT);
			expect(tasks.every((task) => task.meta?.node === 'Reply Pong')).toBe(true);
			expect((await store.getBot({ appid: APPID, wxid: bot.wxid }))?.online).toBe(true);
		}
	});

	it('hands an upload from a webhook process to the worker, which saves the file', async () => {
		const [bot] = bots;
		const image = await bot.sendMessage('image', {});
		const fileIndex = String(image.unit.file_index);

		const upload = await bot.uploadFile(fileIndex);

		expect(upload).toEqual({ ok: true, reason: '' });
		await waitFor('the worker to save the upload', () => readdirSync(filesFolder).length > 0);
		const [saved] = readdirSync(filesFolder);
		expect(existsSync(join(filesFolder, saved))).toBe(true);
	});

	it('loses no queued task when the worker is killed mid-run and started again', async () => {
		const executionsBefore = cluster.postgres.query(
			"SELECT count(*) FROM execution_entity WHERE status = 'success'",
		)[0][0];
		const [bot] = bots;
		// A burst of pings in flight when the worker dies: some executions may be running then.
		const inFlight = await Promise.all(
			Array.from({ length: 4 }, (_, i) => ping(bot, `wxid_before_kill_${i}`)),
		);
		await sleep(150);
		await cluster.killWorker();
		// While no worker runs, WeHub keeps polling and pinging: executions wait in Bull's queue.
		const whileDown: string[] = [];
		for (let i = 0; i < 4; i++) whileDown.push(await ping(bot, `wxid_while_down_${i}`));
		await sleep(1000);
		expect(pongTargets(bot).filter((to) => whileDown.includes(to))).toEqual([]);

		await cluster.restartWorker();

		await waitFor('a pong for every ping sent while the worker was down', () =>
			whileDown.every((sender) => pongTargets(bot).includes(sender)),
		);
		await sleep(3000);
		const targets = pongTargets(bot);
		const count = (sender: string) => targets.filter((to) => to === sender).length;
		// Never twice: not for waiting jobs, not for the executions the kill interrupted.
		for (const sender of [...inFlight, ...whileDown]) expect(count(sender)).toBeLessThanOrEqual(1);
		expect(whileDown.map(count)).toEqual([1, 1, 1, 1]);
		expect(bot.stats.duplicateTaskIds).toBe(0);
		// n8n does not rerun a job whose worker died (Bull maxStalledCount 0): a ping whose execution
		// was running at the kill gets no pong, and its execution never reaches `success`.
		const missing = inFlight.filter((sender) => count(sender) === 0);
		const statuses = cluster.postgres.query(
			'SELECT status, count(*) FROM execution_entity GROUP BY status ORDER BY status',
		);
		const notSucceeded = statuses
			.filter(([status]) => status !== 'success')
			.reduce((sum, [, n]) => sum + Number(n), 0);
		console.log(
			`[e2e queue] worker kill: ${inFlight.length - missing.length}/${inFlight.length} in-flight pings answered, ` +
				`executions by status ${JSON.stringify(statuses)} (successes before: ${executionsBefore})`,
		);
		expect(missing.length).toBeLessThanOrEqual(notSucceeded);
		// Every task that reached the store was handed out and reported.
		await waitFor('every stored task done', async () =>
			(await store.list({ appid: APPID, wxid: bot.wxid })).every((task) => task.state === 'done'),
		);
	});
});
