/**
 * `npm run bench:store`: task cycles per second (enqueue + hand-out + complete) of both store
 * backends, next to a raw Redis queue doing the same job on the same redis-server in the same run.
 *
 * Fairness:
 * - every contender runs BOTS concurrent bots, each doing sequential cycles (WeHub polls one task
 *   per bot at a time), for the same duration;
 * - the raw baseline is the least a queue with at-most-once hand-out and a result can do: LPUSH
 *   the task record (the JSON of a real TaskRecord, the size the store writes), RPOP it (Redis
 *   pops each element once: at-most-once) and parse it to learn its id, HSET the result under that
 *   id. Three commands for the store's three calls, no indexes, no caps, no expiry, no presence;
 * - the raw client uses the same ioredis options as the Redis store's client (auto-pipelining on
 *   or off alike);
 * - ROUNDS short rounds, each running every contender once in a rotating order. A ratio is taken
 *   within each round (its contenders ran seconds apart, under the same load) and the median of
 *   those is reported, as are median cycles/s: the machine is shared and its load drifts.
 * redis-server runs without persistence, as the targets assume; the embedded store fsyncs every
 * commit (its calls resolve once their batch is on disk). For scale, a second raw baseline runs
 * against a redis-server with `appendfsync always` (durable like the embedded store); it is
 * reported, not used for the targets.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import Redis from 'ioredis';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';
import type { WeHubTask } from '../nodes/WeHub/protocol/types';
import { EmbeddedTaskStore } from '../nodes/WeHub/store/EmbeddedTaskStore';
import { RedisTaskStore } from '../nodes/WeHub/store/RedisTaskStore';
import { newTaskId } from '../nodes/WeHub/store/taskId';
import type { TaskRecord, TaskStore } from '../nodes/WeHub/store/TaskStore';
import { startRedisServer } from '../test/helpers/redisServer';
import { median } from './stats';

const BOTS = Number(process.env.BENCH_BOTS ?? 32);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 2) * 1_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RESULTS = join(__dirname, 'results.json');
const APPID = 'wh_bench';

const task: WeHubTask = {
	task_type: 1,
	task_dict: {
		wxid_to: '20783541032@chatroom',
		at_list: ['wxid_4x7nq2m9k1a22'],
		msg_list: [{ msg_type: 1, msg: '@小林 今晚 8 点直播，链接稍后发群里，欢迎大家准时参加！' }],
	},
};

type Cycle = (bot: number) => Promise<void>;

/** Runs `cycle` for each bot in a loop until the time is up; returns cycles per second. */
async function measure(cycle: Cycle): Promise<number> {
	let cycles = 0;
	const started = Date.now();
	const deadline = started + DURATION_MS;
	await Promise.all(
		Array.from({ length: BOTS }, async (_, bot) => {
			while (Date.now() < deadline) {
				await cycle(bot);
				cycles++;
			}
		}),
	);
	return cycles / ((Date.now() - started) / 1_000);
}

function storeCycle(store: TaskStore): Cycle {
	return async (bot) => {
		const ref = { appid: APPID, wxid: `wxid_bench_${bot}` };
		await store.enqueue(ref, task);
		const handed = await store.handOut(ref);
		if (!handed) throw new Error('the task just queued was not handed out');
		await store.complete(ref.appid, handed.task_id, true);
	};
}

/** What the store keeps per task, so the baseline moves as many bytes. */
function taskRecordJson(bot: number): string {
	const record: TaskRecord = {
		task_id: newTaskId(),
		appid: APPID,
		bot_wxid: `wxid_bench_${bot}`,
		task,
		state: 'queued',
		created_at: Date.now(),
	};
	return JSON.stringify(record);
}

function rawCycle(redis: Redis): Cycle {
	return async (bot) => {
		await redis.lpush(`raw:q:${bot}`, taskRecordJson(bot));
		const popped = await redis.rpop(`raw:q:${bot}`);
		if (!popped) throw new Error('nothing popped');
		const { task_id } = JSON.parse(popped) as TaskRecord;
		const result = JSON.stringify({ state: 'done', success: true, finished_at: Date.now() });
		await redis.hset(`raw:result:${bot}`, task_id, result);
	};
}

async function main() {
	const server = await startRedisServer();
	const durableServer = await startRedisServer({ appendOnly: true });
	const folder = mkdtempSync(join(tmpdir(), 'wehub-bench-'));
	try {
		const redisStore = new RedisTaskStore(
			{ backend: 'redis', host: server.host, port: server.port, keyPrefix: 'bench:' },
			{ sweepEveryMs: 0 },
		);
		const sameOptions = { enableAutoPipelining: redisStore.redis.options.enableAutoPipelining };
		const raw = new Redis({ host: server.host, port: server.port, ...sameOptions });
		const rawDurable = new Redis({
			host: durableServer.host,
			port: durableServer.port,
			...sameOptions,
		});
		const embedded = new EmbeddedTaskStore({ path: folder, sweepEveryMs: 0 });
		const contenders: Array<[string, Cycle]> = [
			['raw', rawCycle(raw)],
			['redis', storeCycle(redisStore)],
			['embedded', storeCycle(embedded)],
			['rawDurable', rawCycle(rawDurable)],
		];

		// Warm up each contender (connections, script loading, JIT) before measuring.
		for (const [, cycle] of contenders) for (let n = 0; n < 200; n++) await cycle(n % BOTS);

		const runs: Record<string, number[]> = Object.fromEntries(
			contenders.map(([name]) => [name, []]),
		);
		const load = [loadavg()[0]];
		for (let round = 0; round < ROUNDS; round++) {
			for (let i = 0; i < contenders.length; i++) {
				const [name, cycle] = contenders[(round + i) % contenders.length];
				runs[name].push(Math.round(await measure(cycle)));
			}
			load.push(loadavg()[0]);
		}
		await Promise.all([raw.quit(), rawDurable.quit(), redisStore.close(), embedded.close()]);

		const rates = Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, median(r)]));
		const ratio = (name: string) =>
			Math.round(median(runs[name].map((rate, round) => rate / runs.raw[round])) * 100) / 100;
		const results = readResults();
		results.store_embedded_vs_raw_redis = ratio('embedded');
		results.store_redis_vs_raw_redis = ratio('redis');
		results.store_cycles = {
			bots: BOTS,
			seconds_per_run: DURATION_MS / 1_000,
			rounds: ROUNDS,
			raw_record_bytes: Buffer.byteLength(taskRecordJson(0)),
			auto_pipelining: Boolean(sameOptions.enableAutoPipelining),
			load_average_1m: load.map((x) => Math.round(x * 10) / 10),
			median_cycles_per_s: rates,
			median_ratio_to_raw: {
				redis: ratio('redis'),
				embedded: ratio('embedded'),
				raw_durable: ratio('rawDurable'),
			},
			runs,
		};
		writeFileSync(RESULTS, `${JSON.stringify(results, null, '\t')}\n`);

		const line = (label: string, name: string, note = '') =>
			console.log(`  ${label.padEnd(44)} ${String(rates[name]).padStart(6)}  ${note}`);
		console.log(
			`cycles/s (enqueue + handOut + complete), ${BOTS} bots, median of ${ROUNDS} runs of ` +
				`${DURATION_MS / 1_000} s, load average ${load.map((x) => x.toFixed(1)).join(' -> ')};`,
		);
		console.log('ratios are medians of the per-round ratios to raw Redis:');
		line('raw Redis LPUSH/RPOP/HSET (no persistence)', 'raw', `runs ${runs.raw.join(', ')}`);
		line('Redis store', 'redis', `${ratio('redis')}x raw (target 0.7), runs ${runs.redis}`);
		line(
			'embedded store (lmdb, fsync per commit)',
			'embedded',
			`${ratio('embedded')}x raw (target 0.5), runs ${runs.embedded}`,
		);
		line(
			'raw Redis, appendfsync always (reference)',
			'rawDurable',
			`${ratio('rawDurable')}x raw, runs ${runs.rawDurable}`,
		);
	} finally {
		await Promise.all([server.stop(), durableServer.stop()]);
		rmSync(folder, { recursive: true, force: true });
	}
}

function readResults(): Record<string, unknown> {
	try {
		return JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
	} catch {
		return {};
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
