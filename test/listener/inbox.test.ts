import FormData from 'form-data';
import { mock } from 'jest-mock-extended';
import type { IRun, ITriggerResponse } from 'n8n-workflow';

import { activeListenerAddresses } from '../../nodes/WeHub/listener/listenerRegistry';
import { openStoreFor, settingsFromCredential } from '../../nodes/WeHub/shared/settings';
import { openTaskStore } from '../../nodes/WeHub/store/openTaskStore';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import type { TaskStore } from '../../nodes/WeHub/store/TaskStore';
import { BOT_WXID, readFixture } from '../protocol/fixtures';
import { until } from '../helpers/until';
import {
	APPID,
	call,
	fakeTrigger,
	freePort,
	listenerParameters,
	post,
	TempStores,
	waitForPort,
	type FakeTrigger,
} from './harness';

/**
 * Durable Delivery: an event acknowledged to WeHub stays in the store's inbox until n8n reports
 * its execution ended; a listener of the same workflow replays what a dead process left behind.
 */
const OWNER = 'wf-orders/WeHub Trigger';

/** An inbox entry as a listener wrote it: one message item, leased by `holder` until `leaseUntil`. */
function entryOf(
	id: string,
	receivedAt: number,
	holder: string,
	leaseUntil: number,
	fields: Record<string, unknown> = {},
) {
	return {
		id,
		appid: APPID,
		owner: OWNER,
		bot_wxid: BOT_WXID,
		items: [
			{
				event: 'message',
				appid: APPID,
				bot_wxid: BOT_WXID,
				received_at: new Date(receivedAt).toISOString(),
				...fields,
			},
		],
		received_at: receivedAt,
		holder,
		lease_until: leaseUntil,
	};
}
const ping = () => readFixture('requests', 'report_new_msg.text.private.json');

describe('WeHub listener Durable Delivery (the inbox)', () => {
	const stores = new TempStores();
	let open: ITriggerResponse[] = [];

	async function start(
		listenerOptions: Record<string, unknown> = {},
		credential = stores.credential(),
	): Promise<{ port: number; trigger: FakeTrigger; store: TaskStore; response: ITriggerResponse }> {
		const port = await freePort();
		const trigger = fakeTrigger({
			credential,
			parameters: listenerParameters(port, {}, listenerOptions),
		});
		const response = await trigger.start();
		open.push(response);
		await waitForPort(port);
		// The store the trigger uses, embedded or Redis, as its credential says.
		const store = await openStoreFor(settingsFromCredential(credential));
		return { port, trigger, store, response };
	}

	const ended = () => mock<IRun>();

	afterEach(async () => {
		await Promise.all(open.map(async (r) => await r.closeFunction?.()));
		open = [];
		expect(activeListenerAddresses()).toEqual([]);
	});
	afterAll(async () => await stores.cleanUp());

	it('keeps an acknowledged event until its execution has ended', async () => {
		const { port, trigger, store } = await start();
		const emitted = trigger.nextEmit();
		const answer = await post(port, ping());
		expect(answer.json()).toMatchObject({ error_code: 0 });
		const [item] = await emitted;
		expect(item.json).toMatchObject({
			event: 'message',
			delivery_id: expect.stringMatching(/^d/),
			replayed: false,
		});

		const [entry] = await store.inboxList(APPID);
		expect(entry).toMatchObject({
			id: item.json.delivery_id,
			owner: OWNER,
			bot_wxid: BOT_WXID,
			attempts: 1,
		});
		expect(entry.items[0]).toMatchObject({ text: item.json.text, delivery_id: entry.id });

		trigger.done[0]!.resolve(ended());
		await until(async () => (await store.inboxList(APPID)).length === 0);
	});

	it('replays what a process that died left behind, oldest first, with the original received_at', async () => {
		const credential = stores.credential();
		const store = await stores.open(credential);
		const receivedAt = Date.now() - 60_000;
		for (const [id, at, text] of [
			['d-older', receivedAt, 'ping'],
			['d-newer', receivedAt + 1_000, 'ping again'],
		] as const) {
			const orphan = entryOf(id, at, 'listener-that-died', Date.now() - 1, {
				text,
				delivery_id: id,
				replayed: false,
			});
			await store.inboxPut(orphan, 100);
		}

		const { trigger } = await start({}, credential);
		await until(() => trigger.emitted.length === 2);
		expect(trigger.emitted.map((items) => items[0].json)).toEqual([
			expect.objectContaining({
				delivery_id: 'd-older',
				replayed: true,
				received_at: new Date(receivedAt).toISOString(),
			}),
			expect.objectContaining({ delivery_id: 'd-newer', replayed: true, text: 'ping again' }),
		]);
		expect((await store.inboxList(APPID)).map((entry) => entry.attempts)).toEqual([2, 2]);
		trigger.done.forEach((done) => done!.resolve(ended()));
		await until(async () => (await store.inboxList(APPID)).length === 0);
	});

	it('leaves an entry whose lease still runs alone: that execution may still be running elsewhere', async () => {
		const credential = stores.credential();
		const store = await stores.open(credential);
		const running = entryOf('d-running', Date.now(), 'listener-still-alive', Date.now() + 60_000);
		await store.inboxPut(running, 100);
		const { trigger } = await start({}, credential);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(trigger.emitted).toEqual([]);
	});

	it('keeps nothing with Durable Delivery off', async () => {
		const { port, trigger, store } = await start({ durableDelivery: false });
		const emitted = trigger.nextEmit();
		await post(port, ping());
		const [item] = await emitted;
		expect(item.json).not.toHaveProperty('delivery_id');
		expect(await store.inboxList(APPID)).toEqual([]);
	});

	it('refuses an event it cannot keep, with an error ack and no execution', async () => {
		const { port, trigger, store } = await start({ maxUndeliveredEvents: 1 });
		await post(port, ping());
		const second = await post(port, ping());
		expect(second.status).toBe(200);
		expect(second.json()).toMatchObject({
			error_code: 503,
			error_reason: expect.stringMatching(/too many events whose executions have not ended/),
		});
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(trigger.emitted).toHaveLength(1);
		expect(await store.inboxList(APPID)).toHaveLength(1);
	});

	it('keeps an upload with its bytes and replays it as binary data', async () => {
		const credential = stores.credential();
		const first = await start({}, credential);
		await first.store.rememberFile({
			appid: APPID,
			bot_wxid: BOT_WXID,
			file_index: 'fi_img_01',
			state: 'requested',
			reported_at: Date.now(),
		});
		const form = new FormData();
		form.append('file_index', 'fi_img_01');
		form.append('file', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), {
			filename: 'img.jpg',
			contentType: 'image/jpeg',
		});
		const emitted = first.trigger.nextEmit();
		await call(
			first.port,
			'POST',
			'/wehub/upload',
			form.getBuffer(),
			form.getHeaders() as Record<string, string>,
		);
		await emitted;
		// The process "dies" before the execution ends: its listener goes, the lease runs out.
		await first.response.closeFunction?.();
		open = open.filter((r) => r !== first.response);
		const [entry] = await first.store.inboxList(APPID);
		await first.store.inboxRenew(APPID, [entry.id], entry.holder, Date.now() - 1);

		const second = await start({}, credential);
		await until(() => second.trigger.emitted.length === 1);
		const [replayed] = second.trigger.emitted[0];
		expect(replayed.json).toMatchObject({
			event: 'file_uploaded',
			replayed: true,
			delivery_id: entry.id,
		});
		expect(Buffer.from(replayed.binary!.data.data, 'base64')).toEqual(
			Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
		);
	});

	describe('queue mode (the Redis store)', () => {
		let redis: RedisServer;
		beforeAll(async () => {
			redis = await startRedisServer();
		});
		afterAll(async () => await redis?.stop());

		it('replays an orphaned event once, however many listeners look for it at the same time', async () => {
			const credential = {
				appId: APPID,
				storeBackend: 'redis',
				redisHost: redis.host,
				redisPort: redis.port,
				redisKeyPrefix: `wehub-inbox-${Date.now()}:`,
			};
			const store = await openTaskStore({
				backend: 'redis',
				host: redis.host,
				port: redis.port,
				keyPrefix: credential.redisKeyPrefix,
			});
			for (let n = 0; n < 20; n++) {
				const at = Date.now() - 60_000 + n;
				await store.inboxPut(
					entryOf(`d-orphan-${n}`, at, 'leader-that-died', Date.now() - 1, { n }),
					100,
				);
			}
			// Three listeners of the same workflow node (e.g. a leader change while one restarts).
			const listeners = await Promise.all([
				start({}, credential),
				start({}, credential),
				start({}, credential),
			]);
			await until(
				() => listeners.reduce((sum, { trigger }) => sum + trigger.emitted.length, 0) >= 20,
			);
			await new Promise((resolve) => setTimeout(resolve, 300));
			const replayed = listeners.flatMap(({ trigger }) =>
				trigger.emitted.map((items) => items[0].json.n),
			);
			expect(replayed.sort((a, b) => Number(a) - Number(b))).toEqual(
				Array.from({ length: 20 }, (_, n) => n),
			);
		});
	});
});
