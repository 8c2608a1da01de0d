import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EmbeddedTaskStore } from '../../nodes/WeHub/store/EmbeddedTaskStore';
import { RedisTaskStore } from '../../nodes/WeHub/store/RedisTaskStore';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { exited, onLines, spawnChild } from './children/spawnChild';

jest.setTimeout(45_000);

const bot = { appid: 'wh_app_5f3c2a', wxid: 'wxid_bot_fangqing' };

describe('durability', () => {
	it('embedded: every enqueue that returned survives a SIGKILL of the writing process', async () => {
		const path = mkdtempSync(join(tmpdir(), 'wehub-store-kill-'));
		try {
			const child = spawnChild('enqueueWorker', [
				JSON.stringify({ backend: 'embedded', path }),
				JSON.stringify(bot),
				'10000',
				'32',
			]);
			const acknowledged: string[] = [];
			await new Promise<void>((resolve) =>
				onLines(child, (line) => {
					acknowledged.push(line);
					if (acknowledged.length === 2_500) {
						child.kill('SIGKILL');
						resolve();
					}
				}),
			);
			await exited(child);
			expect(child.signalCode).toBe('SIGKILL');

			const store = new EmbeddedTaskStore({ path, sweepEveryMs: 0 });
			try {
				const queued = await store.list(bot, 'queued', 20_000);
				const found = new Map<string, number>();
				for (const task of queued) found.set(task.task_id, (found.get(task.task_id) ?? 0) + 1);
				expect(queued.length).toBeLessThan(10_000);
				expect(acknowledged.filter((id) => found.get(id) !== 1)).toEqual([]);
				expect((await store.getBot(bot))?.queue_depth ?? queued.length).toBe(queued.length);
			} finally {
				await store.close();
			}
		} finally {
			rmSync(path, { recursive: true, force: true });
		}
	});

	describe('redis', () => {
		let server: RedisServer;
		beforeAll(async () => {
			server = await startRedisServer({ appendOnly: true });
		});
		afterAll(async () => {
			await server?.stop();
		});

		it('loses no acknowledged task when redis-server restarts mid-run, and reconnects by itself', async () => {
			const store = new RedisTaskStore(
				{ backend: 'redis', host: server.host, port: server.port },
				{ sweepEveryMs: 0 },
			);
			try {
				const acknowledged: string[] = [];
				let failed = 0;
				let stop = false;
				const writer = async () => {
					for (let n = 0; !stop; n++) {
						try {
							const queued = await store.enqueue(bot, {
								task_type: 10,
								task_dict: { room_wxid: '20783541032@chatroom', msg: `群公告 ${n}` },
							});
							acknowledged.push(queued.task_id);
						} catch {
							failed++;
						}
					}
				};
				const writers = Array.from({ length: 8 }, writer);
				while (acknowledged.length < 1_000) await new Promise((r) => setTimeout(r, 10));
				await server.restart();
				const beforeRestart = acknowledged.length;
				while (acknowledged.length < beforeRestart + 1_000)
					await new Promise((r) => setTimeout(r, 10));
				stop = true;
				await Promise.all(writers);

				const queued = new Set((await store.list(bot, 'queued', 100_000)).map((t) => t.task_id));
				expect(acknowledged.filter((id) => !queued.has(id))).toEqual([]);
				// An enqueue may fail while Redis is down (it reports an error, never a false success);
				// a failed one may still have been written, so the queue holds at least the acknowledged.
				expect(queued.size).toBeGreaterThanOrEqual(acknowledged.length);
				expect(queued.size).toBeLessThanOrEqual(acknowledged.length + failed);
			} finally {
				await store.close();
			}
		});
	});
});
