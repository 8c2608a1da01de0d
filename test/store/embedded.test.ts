import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { RootDatabase } from 'lmdb';
import type { WeHubTask } from '../../nodes/WeHub/protocol/types';
import { EmbeddedTaskStore, IDLE_POLL_STAMP_MS } from '../../nodes/WeHub/store/EmbeddedTaskStore';
import { taskStoreContract } from './contract';

const folders: string[] = [];

afterAll(() => {
	for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

taskStoreContract('embedded (lmdb)', async (limits) => {
	const path = mkdtempSync(join(tmpdir(), 'wehub-store-'));
	folders.push(path);
	return new EmbeddedTaskStore({ path, limits, sweepEveryMs: 0 });
});

describe('embedded poll of an idle bot (no write per empty poll)', () => {
	const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);
	const bot = { appid: 'wh_idle', wxid: 'wxid_idle_bot' };
	const text: WeHubTask = {
		task_type: 1,
		task_dict: { wxid_to: 'wxid_friend', msg_list: [{ msg_type: 1, msg: '你好' }] },
	};
	let store: EmbeddedTaskStore;
	let writes: jest.SpyInstance;

	beforeEach(async () => {
		const path = mkdtempSync(join(tmpdir(), 'wehub-store-'));
		folders.push(path);
		store = new EmbeddedTaskStore({ path, sweepEveryMs: 0 });
		await store.poll(bot, T0);
		writes = jest.spyOn((store as unknown as { root: RootDatabase }).root, 'transaction');
	});
	afterEach(async () => await store.close());

	it('answers from a read within IDLE_POLL_STAMP_MS of the stored poll, then stamps again', async () => {
		const soon = await store.poll(bot, T0 + IDLE_POLL_STAMP_MS - 1);
		expect(soon).toEqual({
			task: null,
			bot: expect.objectContaining({ online: true, last_poll_at: T0, queue_depth: 0 }),
		});
		expect(writes).not.toHaveBeenCalled();

		const later = await store.poll(bot, T0 + IDLE_POLL_STAMP_MS);
		expect(later.bot.last_poll_at).toBe(T0 + IDLE_POLL_STAMP_MS);
		expect(writes).toHaveBeenCalledTimes(1);
	});

	it('hands out a task queued since the last poll at once', async () => {
		const queued = await store.enqueue(bot, text);
		const result = await store.poll(bot, T0 + 1_000);
		expect(result.task).toMatchObject({ task_id: queued.task_id, state: 'handed_out' });
		expect(result.bot.last_poll_at).toBe(T0 + 1_000);
	});

	it('takes the write path while a task waits (not before), so it is handed out when due', async () => {
		await store.enqueue(bot, text, { notBefore: T0 + 3_000 });
		expect((await store.poll(bot, T0 + 1_000)).task).toBeNull();
		expect((await store.poll(bot, T0 + 3_000)).task).toMatchObject({ state: 'handed_out' });
	});

	it('marks a logged-out bot online on its next poll, however recent the last one', async () => {
		await store.recordLogout(bot, T0 + 500);
		const result = await store.poll(bot, T0 + 1_000);
		expect(result.bot).toMatchObject({ online: true, last_poll_at: T0 + 1_000 });
	});

	it('writes again for a clock that went back', async () => {
		const result = await store.poll(bot, T0 - 1_000);
		expect(result.bot.last_poll_at).toBe(T0 - 1_000);
	});
});
