import type { ITriggerResponse } from 'n8n-workflow';
import WebSocket from 'ws';

import { activeListenerAddresses } from '../../nodes/WeHub/listener/listenerRegistry';
import type { WeHubTask } from '../../nodes/WeHub/protocol/types';
import type { BotRef } from '../../nodes/WeHub/store/TaskStore';
import { WeHubSimulator } from '../../sim/WeHubSimulator';
import { exited, spawnChild } from '../store/children/spawnChild';
import { until } from '../helpers/until';
import {
	APPID,
	fakeTrigger,
	freePort,
	listenerParameters,
	post,
	SECRET,
	TempStores,
	waitForPort,
} from './harness';

/**
 * WeHub 0.4.2+ over the listener's WebSocket: the login over HTTP offers a per-login ws_url,
 * frames are answered like HTTP callbacks, and tasks are pushed the moment they are queued.
 * Real sockets (the simulator and raw `ws` clients), a real lmdb store.
 */
const BOT = 'wxid_bot_shop01';
const ALICE = 'wxid_alice6a8kd2';

const pong: WeHubTask = {
	task_type: 1,
	task_dict: { wxid_to: ALICE, at_list: [], msg_list: [{ msg_type: 1, msg: 'pong' }] },
};
const remark = (n: number): WeHubTask => ({
	task_type: 6,
	task_dict: { wxid: `wxid_customer_${n}`, remark_name: `客户 ${n}` },
});

describe('WeHub listener WebSocket (WeHub 0.4.2+)', () => {
	const stores = new TempStores();
	let open: ITriggerResponse[] = [];
	const sims: WeHubSimulator[] = [];
	const raw: WebSocket[] = [];

	async function start(listenerOptions: Record<string, unknown> = { offerWebSocket: true }) {
		const port = await freePort();
		const credential = stores.credential();
		const trigger = fakeTrigger({
			credential,
			parameters: listenerParameters(
				port,
				{},
				{ webSocketHeartbeatSeconds: 5, ...listenerOptions },
			),
		});
		const response = await trigger.start();
		open.push(response);
		await waitForPort(port);
		const store = await stores.open(credential);
		const bot: BotRef = { appid: APPID, wxid: BOT };
		return { port, trigger, response, store, bot };
	}

	function simulator(port: number, clientVersion = '0.4.26', extra = {}) {
		const sim = new WeHubSimulator({
			callbackUrl: `http://127.0.0.1:${port}/wehub`,
			appid: APPID,
			wxid: BOT,
			secretKey: SECRET,
			clientVersion,
			heartbeatIntervalMs: 200,
			...extra,
		});
		sims.push(sim);
		return sim;
	}

	async function loginOffer(port: number, clientVersion = '0.4.26') {
		const login = await post(port, {
			action: 'login',
			appid: APPID,
			wxid: BOT,
			data: { nickname: '小店客服', client_version: clientVersion, nonce: 'n0nce' },
		});
		return login.json<{ data: { extension_protocol?: { param: { ws_url: string } } } }>().data;
	}

	async function connect(
		url: string,
	): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> }> {
		const ws = new WebSocket(url);
		raw.push(ws);
		const frames: Array<Record<string, unknown>> = [];
		ws.on('message', (data) => frames.push(JSON.parse(String(data))));
		await new Promise<void>((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('error', reject);
		});
		return { ws, frames };
	}

	async function upgradeStatus(url: string): Promise<number> {
		const ws = new WebSocket(url);
		return await new Promise<number>((resolve) => {
			ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			ws.once('open', () => {
				ws.close();
				resolve(101);
			});
			ws.once('error', () => undefined);
		});
	}

	afterEach(async () => {
		for (const ws of raw.splice(0)) ws.terminate();
		await Promise.all(sims.splice(0).map(async (sim) => await sim.close()));
		await Promise.all(open.map(async (r) => await r.closeFunction?.()));
		open = [];
		expect(activeListenerAddresses()).toEqual([]);
	});
	afterAll(async () => await stores.cleanUp());

	it('offers 0.4.2+ clients a ws_url with a per-login token, and nobody else', async () => {
		const { port } = await start();
		const first = await loginOffer(port);
		expect(first.extension_protocol).toEqual({
			type: 'websocket',
			param: {
				ws_url: expect.stringMatching(
					new RegExp(
						`^ws://127\\.0\\.0\\.1:${port}/wehub/ws\\?wxid=${BOT}&token=[A-Za-z0-9_-]{32}$`,
					),
				),
				heartbeat_interval: 5,
			},
		});
		expect(first).toHaveProperty('signature');
		const second = await loginOffer(port);
		expect(second.extension_protocol!.param.ws_url).not.toBe(
			first.extension_protocol!.param.ws_url,
		);
		expect((await loginOffer(port, '0.4.1')).extension_protocol).toBeUndefined();
	});

	it('offers nothing when the option is off', async () => {
		const { port } = await start({});
		expect((await loginOffer(port)).extension_protocol).toBeUndefined();
	});

	it('answers frames like HTTP callbacks and pushes a queued pong with no pull_task at all', async () => {
		const { port, trigger, store, bot } = await start();
		const sim = simulator(port);
		expect((await sim.login()).ok).toBe(true);
		expect(sim.webSocket?.connected).toBe(true);

		const emitted = trigger.nextEmit();
		const ping = await sim.sendMessage('text', { text: 'ping' });
		expect(ping.ok).toBe(true);
		expect(ping.ack?.ack_type).toBe('common_ack');
		const [item] = await emitted;
		expect(item.json).toMatchObject({ event: 'message', text: 'ping', bot_wxid: BOT });

		const queued = await store.enqueue(bot, pong);
		const pushed = await sim.nextPushedTask();
		expect(pushed).toMatchObject({ task_id: queued.task_id, source: 'push', task_type: 1 });
		await until(async () => (await store.get(APPID, queued.task_id))?.state === 'done');
		expect(sim.stats.polls).toBe(0);
		expect(sim.stats.requestsByAction.pull_task ?? 0).toBe(0);
		expect(sim.stats.duplicateTaskIds).toBe(0);
	});

	it('pushes the next task only once the last one is reported, as polling would', async () => {
		const { port, store, bot } = await start();
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		const sim = simulator(port, '0.4.26', {
			taskOutcome: async () => {
				await held;
				return { success: true };
			},
		});
		await sim.login();
		const first = await store.enqueue(bot, remark(1));
		const second = await store.enqueue(bot, remark(2));
		await until(async () => (await store.get(APPID, first.task_id))?.state === 'handed_out');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect((await store.get(APPID, second.task_id))?.state).toBe('queued');
		release();
		await until(async () => (await store.get(APPID, second.task_id))?.state === 'done');
		expect(sim.stats.polls).toBe(0);
	});

	it('pushes a task held back by not_before once it is due, without a poll', async () => {
		const { port, store, bot } = await start();
		const sim = simulator(port);
		await sim.login();
		const later = await store.enqueue(bot, remark(3), { notBefore: Date.now() + 1_200 });
		const pushed = await sim.nextPushedTask(6_000);
		expect(pushed.task_id).toBe(later.task_id);
		expect(pushed.receivedAt).toBeGreaterThanOrEqual(later.not_before!);
	});

	it('pushes a task another process queued (the embedded store’s enqueue log)', async () => {
		const { port, store } = await start();
		const sim = simulator(port);
		await sim.login();
		const storePath = (store as unknown as { root: { path?: string } }).root.path;
		const config = { backend: 'embedded', path: storePath };
		const child = spawnChild('enqueueWorker', [
			JSON.stringify(config),
			JSON.stringify({ appid: APPID, wxid: BOT }),
			'1',
			'1',
		]);
		expect(await exited(child)).toBe(0);
		const pushed = await sim.nextPushedTask(5_000);
		expect(pushed.task_type).toBe(1);
		expect(sim.stats.polls).toBe(0);
	});

	it('refuses upgrades without the token of the bot’s last login', async () => {
		const { port } = await start();
		const offer = (await loginOffer(port)).extension_protocol!.param.ws_url;
		const base = `ws://127.0.0.1:${port}/wehub/ws`;
		expect(await upgradeStatus(`${base}?wxid=${BOT}&token=not-the-token`)).toBe(401);
		expect(await upgradeStatus(`${base}?wxid=${BOT}`)).toBe(401);
		expect(await upgradeStatus(offer.replace(`wxid=${BOT}`, 'wxid=wxid_somebody_else'))).toBe(401);
		expect(await upgradeStatus(`ws://127.0.0.1:${port}/elsewhere/ws`)).toBe(404);
		expect(await upgradeStatus(offer)).toBe(101);
		// A new login replaces the token.
		await loginOffer(port);
		expect(await upgradeStatus(offer)).toBe(401);
	});

	it('refuses frames that claim another bot, with an ack', async () => {
		const { port } = await start();
		const { ws, frames } = await connect((await loginOffer(port)).extension_protocol!.param.ws_url);
		ws.send(
			JSON.stringify({
				action: 'report_new_msg',
				appid: APPID,
				wxid: 'wxid_intruder',
				data: { msg: { msg_type: 1, msg: 'hi', room_wxid: '', wxid_from: ALICE, wxid_to: BOT } },
			}),
		);
		await until(() => frames.length > 0);
		expect(frames[0]).toMatchObject({
			error_code: 403,
			error_reason: expect.stringMatching(/belongs to wxid_bot_shop01/),
			ack_type: 'common_ack',
		});
	});

	it('keeps presence from heartbeats and marks the bot offline when its socket closes', async () => {
		const { port, store, bot } = await start();
		const { ws } = await connect((await loginOffer(port)).extension_protocol!.param.ws_url);
		ws.send(JSON.stringify({ atcion: 'heartbeat', appid: APPID, wxid: BOT, data: {} }));
		await until(async () => (await store.getBot(bot))?.last_heartbeat_at !== undefined);
		expect((await store.getBot(bot))?.online).toBe(true);
		ws.close();
		await until(async () => (await store.getBot(bot))?.online === false);
	});

	it('ends a socket that missed two heartbeats and marks its bot offline', async () => {
		const { port, store, bot } = await start({
			offerWebSocket: true,
			webSocketHeartbeatSeconds: 1,
		});
		const { ws } = await connect((await loginOffer(port)).extension_protocol!.param.ws_url);
		ws.pause(); // Reads nothing, so answers no pings either: a half-open connection.
		const started = Date.now();
		await until(async () => (await store.getBot(bot))?.online === false, 6_000);
		expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
	});

	it('never resends a task pushed on a socket that died: it is lost after the lost-task time', async () => {
		const { port, store, bot } = await start();
		const url = (await loginOffer(port)).extension_protocol!.param.ws_url;
		const first = await connect(url);
		const queued = await store.enqueue(bot, remark(4));
		await until(() => first.frames.some((frame) => frame.ack_type === 'pull_task_ack'));
		first.ws.terminate();
		await until(async () => (await store.getBot(bot))?.online === false);

		const again = await connect(url);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(again.frames).toEqual([]);
		expect((await store.get(APPID, queued.task_id))?.state).toBe('handed_out');
		await store.sweep(Date.now() + 11 * 60_000);
		expect((await store.get(APPID, queued.task_id))?.state).toBe('lost');
	});

	it('lets a second socket of the same bot replace the first', async () => {
		const { port } = await start();
		const url = (await loginOffer(port)).extension_protocol!.param.ws_url;
		const first = await connect(url);
		const closed = new Promise<number>((resolve) =>
			first.ws.once('close', (code) => resolve(code)),
		);
		await connect(url);
		expect(await closed).toBe(4000);
	});

	it('closes sockets with 1001 when the workflow is deactivated', async () => {
		const { port, response } = await start();
		const { ws } = await connect((await loginOffer(port)).extension_protocol!.param.ws_url);
		const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
		await response.closeFunction?.();
		open = [];
		expect(await closed).toBe(1001);
	});
});
