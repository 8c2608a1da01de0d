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
import { freePort } from '../harness/freePort';
import { waitForListener } from '../fixtures/weHubWorkflows';
import { upgradeAnswer, webSocketDemoWorkflow, WS_DEMO_PATH } from '../fixtures/webSocketDemo';

/**
 * Scale-out, proven on real processes: n8n 2.x in queue mode (PostgreSQL, Redis, main, two
 * `n8n webhook` processes behind a round-robin balancer, one `n8n worker`) running the example
 * "WeHub Demo" workflow with its credential on the Redis store. WeHub talks to the webhook
 * processes only; the WeHub node that queues each pong runs on the worker. Beside it the "WeHub
 * Demo (WebSocket)" workflow, whose listener only the leader main runs: the pong a worker queues
 * reaches the bot on the leader's socket through Redis.
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
	let listenerPort: number;
	let webSocketWorkflowId: string;
	const pinged = new Map<WeHubSimulator, string[]>();

	beforeAll(async () => {
		filesFolder = mkdtempSync(join(tmpdir(), 'wehub-queue-files-'));
		listenerPort = await freePort();
		const webSocketDemo = webSocketDemoWorkflow(listenerPort);
		webSocketWorkflowId = webSocketDemo.id;
		const started = Date.now();
		cluster = await startQueueModeN8n({
			webhookProcesses: 2,
			credentials: ({ redis }) => [demoCredential({ appId: APPID, secretKey: SECRET, redis })],
			workflows: [demoWorkflow(filesFolder), webSocketDemo],
			readyPaths: [CALLBACK_PATH],
			workerEnv: { N8N_RESTRICT_FILE_ACCESS_TO: filesFolder },
		});
		await waitForListener(listenerPort);
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

	it("pushes a pong that the worker queued to a bot on the leader main's WebSocket, with no pull_task", async () => {
		const bot = new WeHubSimulator({
			callbackUrl: `http://127.0.0.1:${listenerPort}/${WS_DEMO_PATH}`,
			appid: APPID,
			wxid: 'wxid_qbot_socket',
			secretKey: SECRET,
			clientVersion: '0.4.26',
		});
		try {
			expect((await bot.login()).ok).toBe(true);
			expect(bot.webSocket?.connected).toBe(true);
			expect((await bot.reportContact({ friends: 3, groups: 1 })).ok).toBe(true);
			const room = bot.contacts.groups[0].wxid;

			expect((await bot.sendMessage('text', { text: 'ping', room })).ok).toBe(true);
			const pong = await bot.nextPushedTask(60_000);

			expect(pong).toMatchObject({ source: 'push', task_type: 1, task_dict: { wxid_to: room } });
			expect(bot.stats.polls).toBe(0);
			await waitFor('the pushed pong reported done in Redis', async () => {
				const record = await store.get(APPID, pong.task_id as string);
				return record?.state === 'done';
			});
			expect((await store.get(APPID, pong.task_id as string))?.meta?.node).toBe('Reply Pong');
			// Queued by the worker: production executions of queue mode run there, never on main.
			const ranOnWorker = () => {
				const workerLog = cluster.worker.logs();
				return cluster.postgres
					.query(`SELECT id FROM execution_entity WHERE "workflowId" = '${webSocketWorkflowId}'`)
					.some(([id]) => workerLog.includes(`Worker started execution ${id} (job `));
			};
			await waitFor('the worker to log the execution', ranOnWorker, 10_000);
			// The token lives in Redis; one that is not the login's is refused at the upgrade.
			const url = new URL(bot.webSocket!.url);
			url.searchParams.set('token', 'not-the-token');
			expect((await upgradeAnswer(url.href)).status).toBe(401);
			expect(bot.violations).toEqual([]);
		} finally {
			await bot.close();
		}
	});
});
