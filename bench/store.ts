/**
 * `npm run bench:store`: task cycles per second (enqueue + hand-out + complete) of both store
 * backends, next to raw Redis LPUSH / RPOP / HSET cycles on the same redis-server in the same run.
 *
 * Fairness: every contender runs BOTS concurrent bots, each doing sequential cycles (WeHub polls
 * one task per bot at a time), for the same duration, on one client connection (ioredis
 * auto-pipelines concurrent commands on it alike for the baseline and the Redis store). The raw
 * cycle is three commands (LPUSH the task, RPOP it, HSET its result) for the store's three calls.
 * redis-server runs without persistence; the embedded store fsyncs every commit (batched).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import Redis from 'ioredis';
import { tmpdir } from 'os';
import { join } from 'path';
import type { WeHubTask } from '../nodes/WeHub/protocol/types';
import { EmbeddedTaskStore } from '../nodes/WeHub/store/EmbeddedTaskStore';
import { RedisTaskStore } from '../nodes/WeHub/store/RedisTaskStore';
import type { TaskStore } from '../nodes/WeHub/store/TaskStore';
import { startRedisServer } from '../test/helpers/redisServer';

const BOTS = Number(process.env.BENCH_BOTS ?? 32);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1_000;
const RESULTS = join(__dirname, 'results.json');

const task: WeHubTask = {
	task_type: 1,
	task_dict: {
		wxid_to: '20783541032@chatroom',
		at_list: [],
		msg_list: [{ msg_type: 1, msg: '今晚 8 点直播，欢迎大家准时参加！' }],
	},
};

/** Runs `cycle` for each bot in a loop until the time is up; returns cycles per second. */
async function measure(cycle: (bot: number, n: number) => Promise<void>): Promise<number> {
	let cycles = 0;
	const started = Date.now();
	const deadline = started + DURATION_MS;
	await Promise.all(
		Array.from({ length: BOTS }, async (_, bot) => {
			for (let n = 0; Date.now() < deadline; n++) {
				await cycle(bot, n);
				cycles++;
			}
		}),
	);
	return cycles / ((Date.now() - started) / 1_000);
}

function storeCycle(store: TaskStore) {
	return async (bot: number) => {
		const ref = { appid: 'wh_bench', wxid: `wxid_bench_${bot}` };
		await store.enqueue(ref, task);
		const handed = await store.handOut(ref);
		if (!handed) throw new Error('the task just queued was not handed out');
		await store.complete(ref.appid, handed.task_id, true);
	};
}

function rawCycle(redis: Redis) {
	const payload = JSON.stringify(task);
	return async (bot: number, n: number) => {
		const id = `${bot}-${n}`;
		await redis.lpush(`raw:q:${bot}`, JSON.stringify({ id, task: payload }));
		const popped = await redis.rpop(`raw:q:${bot}`);
		if (!popped) throw new Error('nothing popped');
		await redis.hset(`raw:result:${bot}`, id, '1');
	};
}

async function main() {
	const server = await startRedisServer();
	const folder = mkdtempSync(join(tmpdir(), 'wehub-bench-'));
	try {
		const raw = new Redis({ host: server.host, port: server.port });
		const redisStore = new RedisTaskStore(
			{ backend: 'redis', host: server.host, port: server.port, keyPrefix: 'bench:' },
			{ sweepEveryMs: 0 },
		);
		const embedded = new EmbeddedTaskStore({ path: folder, sweepEveryMs: 0 });
		// Warm up each contender (connections, script loading, JIT) before measuring.
		const warm = async (cycle: (bot: number, n: number) => Promise<void>) => {
			for (let n = 0; n < 200; n++) await cycle(0, -n - 1);
		};
		await warm(rawCycle(raw));
		await warm(storeCycle(redisStore));
		await warm(storeCycle(embedded));

		// Raw Redis before and after the stores, so drift on a shared machine shows and averages out.
		const rawBefore = await measure(rawCycle(raw));
		const redisStoreRate = await measure(storeCycle(redisStore));
		const embeddedRate = await measure(storeCycle(embedded));
		const rawAfter = await measure(rawCycle(raw));
		const rawRate = (rawBefore + rawAfter) / 2;

		await Promise.all([raw.quit(), redisStore.close(), embedded.close()]);

		const round = (x: number) => Math.round(x);
		const ratio = (x: number) => Math.round((x / rawRate) * 100) / 100;
		const figures = {
			bots: BOTS,
			seconds_per_run: DURATION_MS / 1_000,
			raw_redis_cycles_per_s: [round(rawBefore), round(rawAfter)],
			redis_store_cycles_per_s: round(redisStoreRate),
			embedded_store_cycles_per_s: round(embeddedRate),
		};
		const results = readResults();
		results.store_embedded_vs_raw_redis = ratio(embeddedRate);
		results.store_redis_vs_raw_redis = ratio(redisStoreRate);
		results.store_cycles = figures;
		writeFileSync(RESULTS, `${JSON.stringify(results, null, '\t')}\n`);

		console.log(`cycles/s (enqueue + handOut + complete), ${BOTS} concurrent bots:`);
		console.log(
			`  raw Redis LPUSH/RPOP/HSET  ${round(rawRate)} (runs: ${figures.raw_redis_cycles_per_s.join(', ')})`,
		);
		console.log(
			`  Redis store                ${round(redisStoreRate)}  = ${ratio(redisStoreRate)}x raw (target 0.7)`,
		);
		console.log(
			`  embedded store (lmdb)      ${round(embeddedRate)}  = ${ratio(embeddedRate)}x raw (target 0.5)`,
		);
	} finally {
		await server.stop();
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
