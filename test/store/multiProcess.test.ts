import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EmbeddedTaskStore } from '../../nodes/WeHub/store/EmbeddedTaskStore';
import { RedisTaskStore } from '../../nodes/WeHub/store/RedisTaskStore';
import type { StoreConfig } from '../../nodes/WeHub/store/StoreConfig';
import type { TaskStore } from '../../nodes/WeHub/store/TaskStore';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { exited, onLines, spawnChild } from './children/spawnChild';

jest.setTimeout(30_000);

const bot = { appid: 'wh_app_5f3c2a', wxid: 'wxid_bot_fangqing' };
const TASKS = 600;
const WORKERS = 2;
const PARALLEL_PER_WORKER = 16;

/**
 * Two processes hand out from one queue at the same time (plus callers in this process):
 * every task is handed out exactly once.
 */
async function handOutFromSeveralProcesses(config: StoreConfig, store: TaskStore): Promise<void> {
	const queued = new Set<string>();
	for (let n = 0; n < TASKS; n++) {
		const task = await store.enqueue(bot, {
			task_type: 6,
			task_dict: { wxid: `wxid_customer_${n}`, remark_name: `客户 ${n}` },
		});
		queued.add(task.task_id);
	}

	const handed: string[] = [];
	const workers = Array.from({ length: WORKERS }, () =>
		spawnChild('handOutWorker', [
			JSON.stringify(config),
			JSON.stringify(bot),
			String(PARALLEL_PER_WORKER),
		]),
	);
	const ready = workers.map(
		(worker) =>
			new Promise<void>((resolve) =>
				onLines(worker, (line) => (line === 'ready' ? resolve() : handed.push(line))),
			),
	);
	await Promise.all(ready);
	workers.forEach((worker) => worker.stdin.write('go\n'));
	const local = async () => {
		for (let task = await store.handOut(bot); task; task = await store.handOut(bot)) {
			handed.push(task.task_id);
		}
	};
	await Promise.all([local(), local(), local(), local()]);
	expect(await Promise.all(workers.map(exited))).toEqual(workers.map(() => 0));

	expect(handed).toHaveLength(TASKS);
	expect(new Set(handed)).toEqual(queued);
}

/** A task queued by another process wakes this process's watchers with its bot (WebSocket push). */
async function wakeUpFromAnotherProcess(config: StoreConfig, store: TaskStore): Promise<void> {
	const woken: Array<{ appid: string; wxid: string } | undefined> = [];
	const stop = store.watchQueued((queuedFor) => woken.push(queuedFor));
	try {
		// Redis: the subscriber's first 'ready' announces "look at every bot"; wait for it.
		await new Promise((resolve) => setTimeout(resolve, 300));
		const child = spawnChild('enqueueWorker', [
			JSON.stringify(config),
			JSON.stringify(bot),
			'1',
			'1',
		]);
		expect(await exited(child)).toBe(0);
		const deadline = Date.now() + 5_000;
		while (!woken.some((entry) => entry?.wxid === bot.wxid) && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		expect(woken).toContainEqual(bot);
	} finally {
		stop();
	}
}

/** One scenario against both backends: a fresh embedded store folder, and a Redis server of its own. */
function describeOnBothBackends(
	title: string,
	cases: { embedded: string; redis: string },
	scenario: (config: StoreConfig, store: TaskStore) => Promise<void>,
): void {
	describe(title, () => {
		it(`embedded: ${cases.embedded}`, async () => {
			const path = mkdtempSync(join(tmpdir(), 'wehub-store-mp-'));
			const store = new EmbeddedTaskStore({ path, sweepEveryMs: 0 });
			try {
				await scenario({ backend: 'embedded', path }, store);
			} finally {
				await store.close();
				rmSync(path, { recursive: true, force: true });
			}
		});

		describe('redis', () => {
			let server: RedisServer;
			beforeAll(async () => {
				server = await startRedisServer();
			});
			afterAll(async () => {
				await server?.stop();
			});

			it(cases.redis, async () => {
				const config: StoreConfig = { backend: 'redis', host: server.host, port: server.port };
				const store = new RedisTaskStore(config, { sweepEveryMs: 0 });
				try {
					await scenario(config, store);
				} finally {
					await store.close();
				}
			});
		});
	});
}

describeOnBothBackends(
	'wake-ups across processes',
	{
		embedded: 'another process queues, this one is told the bot within a second',
		redis: 'another process queues, this one is told the bot (pub/sub)',
	},
	wakeUpFromAnotherProcess,
);

describeOnBothBackends(
	'hand-out across processes',
	{
		embedded: 'two processes and this one never receive the same task',
		redis: 'two processes and this one never receive the same task',
	},
	handOutFromSeveralProcesses,
);
