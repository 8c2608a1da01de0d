import type { IDataObject } from 'n8n-workflow';

import { closeAllTaskStores } from '../../../nodes/WeHub/store/openTaskStore';
import type { TaskStore } from '../../../nodes/WeHub/store/TaskStore';
import { startRedisServer, type RedisServer } from '../../helpers/redisServer';
import { embeddedCredential, redisCredential, runNode, storeFor, tempStoreFolder } from './harness';

const BOT = 'wxid_bot_shop01';
const ROOM = '17950482733@chatroom';

const folder = tempStoreFolder();
let redis: RedisServer;
beforeAll(async () => {
	redis = await startRedisServer();
});
afterAll(async () => {
	await closeAllTaskStores();
	await redis?.stop();
	folder.remove();
});

let apps = 0;
const backends: Array<[string, (appId: string) => IDataObject]> = [
	['embedded', (appId) => embeddedCredential(appId, folder.path)],
	['redis', (appId) => redisCredential(appId, redis.host, redis.port)],
];

describe.each(backends)('Task and Bot operations on the %s store', (_backend, credentialFor) => {
	let credential: IDataObject;
	let store: TaskStore;
	const bot = () => ({ appid: credential.appId as string, wxid: BOT });

	beforeEach(async () => {
		credential = credentialFor(`app-tasks-${++apps}`);
		store = await storeFor(credential);
	});

	const queueAnnouncement = async (text: string, options: IDataObject = {}) => {
		const [output] = await runNode(credential, {
			parameters: {
				resource: 'room',
				operation: 'postAnnouncement',
				botWxid: BOT,
				roomWxid: ROOM,
				announcement: text,
				options,
			},
		});
		return output.json;
	};
	const taskOperation = async (operation: string, parameters: IDataObject) =>
		(await runNode(credential, { parameters: { resource: 'task', operation, ...parameters } })).map(
			(output) => output.json,
		);

	it('Get returns the stored record', async () => {
		const queued = await queueAnnouncement('周五放假');
		const [got] = await taskOperation('get', { taskId: queued.task_id });
		expect(got).toMatchObject({
			task_id: queued.task_id,
			state: 'queued',
			task: { task_type: 10, task_dict: { room_wxid: ROOM, msg: '周五放假' } },
			task_type_name: 'post_room_announcement',
			finished: false,
		});
	});

	it('Get names the Task ID of an unknown task', async () => {
		await expect(taskOperation('get', { taskId: 'no-such-task' })).rejects.toThrow(
			'Task ID "no-such-task" is not in the task store',
		);
	});

	it('Get Many lists a bot’s tasks by state, oldest first, with a limit', async () => {
		const first = await queueAnnouncement('一');
		const second = await queueAnnouncement('二');
		const third = await queueAnnouncement('三');
		const handedOut = await store.handOut(bot());
		expect(handedOut?.task_id).toBe(first.task_id);

		const ids = (records: IDataObject[]) => records.map((record) => record.task_id);
		const getMany = (parameters: IDataObject) =>
			taskOperation('getAll', { botWxid: BOT, returnAll: false, limit: 50, ...parameters });

		expect(ids(await getMany({ state: 'queued' }))).toEqual([second.task_id, third.task_id]);
		expect(ids(await getMany({ state: 'queued', limit: 1 }))).toEqual([second.task_id]);
		expect(ids(await getMany({ state: 'handed_out' }))).toEqual([first.task_id]);
		expect(ids(await getMany({ state: 'any', returnAll: true }))).toEqual([
			first.task_id,
			second.task_id,
			third.task_id,
		]);
	});

	it('Get Many with Return All returns every task, past a hundred', async () => {
		const queued = [];
		for (let n = 0; n < 130; n++) {
			queued.push(
				(await store.enqueue(bot(), { task_type: 8, task_dict: { room_wxid: ROOM } })).task_id,
			);
		}
		const all = await taskOperation('getAll', { botWxid: BOT, state: 'queued', returnAll: true });
		expect(all.map((record) => record.task_id)).toEqual(queued);
		const limited = await taskOperation('getAll', { botWxid: BOT, state: 'any', limit: 110 });
		expect(limited).toHaveLength(110);
	});

	it('Cancel cancels a queued task and leaves a handed-out one alone', async () => {
		const pulled = await queueAnnouncement('已取走');
		const waiting = await queueAnnouncement('待取消');
		await store.handOut(bot());

		const [cancelled] = await taskOperation('cancel', { taskId: waiting.task_id });
		expect(cancelled).toMatchObject({ state: 'cancelled', cancelled: true, finished: true });
		const [untouched] = await taskOperation('cancel', { taskId: pulled.task_id });
		expect(untouched).toMatchObject({ state: 'handed_out', cancelled: false });
		expect(await store.list(bot(), 'queued')).toEqual([]);
	});

	it('Wait for Result resolves when WeHub reports the result', async () => {
		const queued = await queueAnnouncement('等待结果');
		const wehub = (async () => {
			await new Promise((resolve) => setTimeout(resolve, 100));
			const task = await store.handOut(bot());
			await store.complete(bot().appid, task!.task_id, false, '不是群主，无法发布公告');
		})();
		const [result] = await taskOperation('waitForResult', {
			taskId: queued.task_id,
			timeoutSeconds: 10,
		});
		await wehub;
		expect(result).toMatchObject({
			state: 'failed',
			finished: true,
			success: false,
			error_reason: '不是群主，无法发布公告',
		});
	});

	it('Wait for Result outputs the current state at the timeout', async () => {
		const queued = await queueAnnouncement('无人领取');
		const started = Date.now();
		const [result] = await taskOperation('waitForResult', {
			taskId: queued.task_id,
			timeoutSeconds: 1,
		});
		expect(Date.now() - started).toBeGreaterThanOrEqual(900);
		expect(result).toMatchObject({ state: 'queued', finished: false });
	});

	it('a queuing operation with Wait for Result outputs the finished task', async () => {
		const wehub = (async () => {
			for (let attempt = 0; attempt < 100; attempt++) {
				const task = await store.handOut(bot());
				if (task) return await store.complete(bot().appid, task.task_id, true);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			return null;
		})();
		const result = await queueAnnouncement('发完告诉我', {
			waitForResult: true,
			waitTimeoutSeconds: 10,
		});
		expect((await wehub)?.task_id).toBe(result.task_id);
		expect(result).toMatchObject({ state: 'done', success: true, finished: true });
	});

	it('Bot Get Many lists bots with status, client version, last poll and queue depth', async () => {
		await store.recordLogin(bot(), { nickname: '小店助手', client_version: '0.4.26' });
		await store.recordLogin(
			{ appid: bot().appid, wxid: 'wxid_bot_old' },
			{ nickname: '旧号', client_version: '0.1.5' },
		);
		await store.recordLogout({ appid: bot().appid, wxid: 'wxid_bot_old' });
		await queueAnnouncement('排队一');
		await queueAnnouncement('排队二');
		await store.poll(bot());

		const bots = async (status: string) =>
			(
				await runNode(
					{ ...credential, allowedBots: BOT },
					{ parameters: { resource: 'bot', operation: 'getAll', status } },
				)
			).map((output) => output.json);

		const online = await bots('online');
		expect(online).toHaveLength(1);
		expect(online[0]).toMatchObject({
			wxid: BOT,
			online: true,
			nickname: '小店助手',
			client_version: '0.4.26',
			queue_depth: 1,
			allowed: true,
		});
		expect(online[0].last_poll_at).toEqual(expect.any(Number));
		expect(await bots('offline')).toEqual([
			expect.objectContaining({
				wxid: 'wxid_bot_old',
				online: false,
				client_version: '0.1.5',
				allowed: false,
			}),
		]);
		expect((await bots('any')).map((entry) => entry.wxid).sort()).toEqual(['wxid_bot_old', BOT]);
	});
});
