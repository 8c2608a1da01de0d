import { closeAllTaskStores, openTaskStore } from '../../nodes/WeHub/store/openTaskStore';
import type { TaskRecord, TaskStore } from '../../nodes/WeHub/store/TaskStore';
import { WeHubSimulator, type ReceivedTask } from '../../sim/WeHubSimulator';
import { sleep } from '../helpers/sleep';
import { until } from '../helpers/until';
import { startN8n, type N8nInstance } from './harness';
import { freePort } from './harness/freePort';
import { startTcpProxy, type TcpProxy } from './harness/tcpProxy';
import {
	DEMO_APPID,
	DEMO_SECRET,
	demoCredential,
	pollUntil,
	textsTo,
	triggerItems,
	waitForTriggered,
} from './fixtures/demoSession';
import { embeddedStorePath, waitForListener } from './fixtures/weHubWorkflows';
import { upgradeAnswer, webSocketDemoWorkflow, WS_DEMO_PATH } from './fixtures/webSocketDemo';

/** The store's default lost-task time (the credential's 10 minutes), and a little more. */
const PAST_LOST_TIME_MS = 11 * 60_000;

/** A gate the simulator's task execution waits at: open unless a test closes it. */
class Gate {
	private waiting: Promise<void> = Promise.resolve();
	private release: () => void = () => undefined;
	close(): void {
		this.waiting = new Promise((resolve) => (this.release = resolve));
	}
	open(): void {
		this.release();
	}
	pass(): Promise<void> {
		return this.waiting;
	}
}

/**
 * WeHub 0.4.2+ over the WebSocket in a real n8n 2.40.7: examples/wehub-demo-websocket.json
 * (listener mode, Offer WebSocket) on the embedded store in n8n's user folder. WeHub reaches the
 * listener through a TCP proxy (the NAT between WeHub's Windows machine and n8n), set as the
 * trigger's Public URL, so the ws_url of every login goes through it and the test can cut a
 * socket as a network drop does. The test opens the same lmdb folder to look at the tasks.
 */
describe('the WeHub Demo (WebSocket) workflow in a real n8n: pushed tasks over the socket', () => {
	let n8n: N8nInstance;
	let proxy: TcpProxy;
	let store: TaskStore;
	let listenerPort: number;
	let workflowId: string;
	let publicUrl: string;
	const gate = new Gate();
	const sims: WeHubSimulator[] = [];

	function simulator(
		wxid: string,
		options: Partial<ConstructorParameters<typeof WeHubSimulator>[0]> = {},
	) {
		const sim = new WeHubSimulator({
			callbackUrl: publicUrl,
			appid: DEMO_APPID,
			wxid,
			secretKey: DEMO_SECRET,
			clientVersion: '0.4.26',
			taskOutcome: async () => {
				await gate.pass();
				return { success: true };
			},
			...options,
		});
		sims.push(sim);
		return sim;
	}

	const bot = (wxid: string) => ({ appid: DEMO_APPID, wxid });
	const task = async (id: string) => (await store.get(DEMO_APPID, id)) as TaskRecord;
	const health = async () =>
		(await (await fetch(`http://127.0.0.1:${listenerPort}/healthz`)).json()) as {
			data: { websocket_bots: number };
		};

	/** Sends ping in the bot's first room; resolves with the pong pushed for it, executed and reported. */
	async function pingForPong(sim: WeHubSimulator): Promise<ReceivedTask> {
		const room = sim.contacts.groups[0].wxid;
		expect((await sim.sendMessage('text', { text: 'ping', room })).ok).toBe(true);
		const pushed = await sim.nextPushedTask(30_000);
		expect(pushed).toMatchObject({ source: 'push', task_type: 1 });
		expect(pushed.task_dict).toMatchObject({ wxid_to: room });
		return pushed;
	}

	beforeAll(async () => {
		listenerPort = await freePort();
		proxy = await startTcpProxy({ host: '127.0.0.1', port: listenerPort });
		publicUrl = `http://127.0.0.1:${proxy.port}/${WS_DEMO_PATH}`;
		const workflow = webSocketDemoWorkflow(listenerPort, publicUrl);
		workflowId = workflow.id;
		// Listener mode registers no n8n webhook: the listener's own /healthz is the probe.
		n8n = await startN8n({ credentials: [demoCredential], workflows: [workflow], readyProbes: [] });
		await waitForListener(listenerPort);
		store = await openTaskStore({ backend: 'embedded', path: embeddedStorePath(n8n.userFolder) });
	});

	afterAll(async () => {
		gate.open();
		await Promise.all(sims.map(async (sim) => await sim.close().catch(() => undefined)));
		await closeAllTaskStores();
		await proxy?.close();
		await n8n?.stop();
	});

	it('logs its callback, upload and WebSocket URLs', () => {
		expect(n8n.logs()).toContain(
			`callback URL ${publicUrl}, upload URL ${publicUrl}/upload, WebSocket for 0.4.2+ ` +
				`${publicUrl.replace('http://', 'ws://')}/ws`,
		);
	});

	it('moves a 0.4.26 bot to the socket its HTTP login names, with a token for that login', async () => {
		const sim = simulator('wxid_ws_bot01');

		expect(await sim.login()).toMatchObject({ ok: true, problems: [] });

		expect(sim.webSocket).toMatchObject({
			url: expect.stringMatching(
				new RegExp(
					`^ws://127\\.0\\.0\\.1:${proxy.port}/${WS_DEMO_PATH}/ws\\?wxid=wxid_ws_bot01&token=[A-Za-z0-9_-]{32}$`,
				),
			),
			connected: true,
		});
		expect((await store.getBot(bot(sim.wxid)))?.online).toBe(true);
		await until(
			async () => (await health()).data.websocket_bots === 1,
			30_000,
			'the listener to count the socket',
			50,
		);
		expect((await sim.reportContact({ friends: 3, groups: 1 })).ok).toBe(true);
	});

	it('pushes the pong for a ping with no pull_task sent at all; its report ends the task done', async () => {
		const [sim] = sims;

		const pong = await pingForPong(sim);

		expect(pong.task_dict.msg_list).toEqual([{ msg_type: 1, msg: 'pong' }]);
		expect(sim.stats.polls).toBe(0);
		expect(sim.stats.requestsByAction.pull_task).toBeUndefined();
		expect(sim.stats.pushesReceived).toBe(1);
		await until(
			async () => (await task(pong.task_id!)).state === 'done',
			30_000,
			'the pong done in the store',
			50,
		);
		const reported = await waitForTriggered(
			n8n,
			workflowId,
			(item) => item.event === 'task_result' && item.task_id === pong.task_id,
		);
		expect(triggerItems(reported)[0]).toMatchObject({ success: true, state: 'done', task_type: 1 });
		expect(reported.status).toBe('success');
	});

	it('leaves a task whose socket was cut mid-task lost, resends nothing, and pushes the next pong on the reconnected socket', async () => {
		const [sim] = sims;
		gate.close(); // WeHub is busy executing what it is pushed next
		const room = sim.contacts.groups[0].wxid;
		expect((await sim.sendMessage('text', { text: 'ping', room })).ok).toBe(true);
		let cut: TaskRecord | undefined;
		await until(
			async () => {
				[cut] = await store.list(bot(sim.wxid), 'handed_out');
				return cut !== undefined && sim.stats.pushesReceived === 2;
			},
			30_000,
			'the pong handed out to the bot',
			50,
		);

		expect(proxy.cutAll()).toBeGreaterThanOrEqual(1);

		await until(
			() => sim.stats.reconnects === 1 && sim.webSocket?.connected === true,
			30_000,
			'the bot to reconnect',
			50,
		);
		expect(sim.stats.fallbackLogins).toBe(0);
		await sleep(2_000); // a resend would arrive at once on the new socket
		expect(sim.stats.pushesReceived).toBe(2);
		expect((await task(cut!.task_id)).state).toBe('handed_out');
		// The store's own sweep, with the clock past the credential's lost-task time.
		await store.sweep(Date.now() + PAST_LOST_TIME_MS);
		expect(await task(cut!.task_id)).toMatchObject({ state: 'lost' });

		gate.open(); // WeHub finishes the cut task late and reports it over the new socket
		const late = await sim.nextPushedTask(30_000);
		expect(late.task_id).toBe(cut!.task_id);
		expect((await task(cut!.task_id)).state).toBe('lost'); // a finished task stays as it is
		const next = await pingForPong(sim);
		expect(next.task_id).not.toBe(cut!.task_id);
		await until(
			async () => (await task(next.task_id!)).state === 'done',
			30_000,
			'the next pong done',
			50,
		);
		expect(sim.stats.polls).toBe(0);
		expect(sim.stats.duplicateTaskIds).toBe(0);
	});

	it('logs in again over HTTP when its reconnection is refused (the token of an older login), and gets its pong pushed', async () => {
		const [sim] = sims;
		const oldUrl = sim.webSocket!.url;
		// The same account logs in from elsewhere (a WeHub restarted on another machine, say): a new
		// login replaces the token the socket URL carries.
		const elsewhere = simulator(sim.wxid, { webSocket: false });
		expect((await elsewhere.login()).ok).toBe(true);
		await elsewhere.close();

		proxy.cutAll();

		await until(
			() => sim.stats.fallbackLogins === 1 && sim.webSocket?.connected === true,
			30_000,
			'the fallback login',
			50,
		);
		expect(sim.stats.reconnects).toBe(1); // the refused attempt does not count
		expect(sim.webSocket!.url).not.toBe(oldUrl);
		expect((await upgradeAnswer(oldUrl)).status).toBe(401);
		await pingForPong(sim);
		expect(sim.stats.polls).toBe(0);
	});

	it('refuses an upgrade with a bad or missing token (401), or to another path (404)', async () => {
		const base = `ws://127.0.0.1:${listenerPort}/${WS_DEMO_PATH}/ws`;
		const valid = new URL(sims[0].webSocket!.url).searchParams.get('token');

		const bad = await upgradeAnswer(`${base}?wxid=wxid_ws_bot01&token=not-the-token`);
		const missing = await upgradeAnswer(`${base}?wxid=wxid_ws_bot01`);
		const otherBot = await upgradeAnswer(`${base}?wxid=wxid_somebody_else&token=${valid}`);
		const noBot = await upgradeAnswer(`${base}?token=${valid}`);
		const elsewhere = await upgradeAnswer(`ws://127.0.0.1:${listenerPort}/wehub/ws`);

		for (const refused of [bad, missing, otherBot, noBot]) {
			expect(refused.status).toBe(401);
			expect(JSON.parse(refused.body)).toMatchObject({
				error_code: 401,
				error_reason: expect.stringContaining('log in again'),
			});
		}
		expect(elsewhere.status).toBe(404);
		expect((await health()).data.websocket_bots).toBe(1);
	});

	it('keeps clients before 0.4.2 polling the callback URL', async () => {
		const old = simulator('wxid_ws_old041', { clientVersion: '0.4.1' });
		expect((await old.login()).ok).toBe(true);
		expect(old.webSocket).toBeUndefined();
		expect((await old.reportContact({ friends: 2, groups: 1 })).ok).toBe(true);
		const room = old.contacts.groups[0].wxid;

		await old.sendMessage('text', { text: 'ping', room });
		await pollUntil(old, () => textsTo(old, room).length > 0);

		expect(textsTo(old, room)).toEqual(['pong']);
		expect(old.stats.pushesReceived).toBe(0);
	});

	it('acked every frame and request as a strict WeHub client expects', () => {
		for (const sim of sims)
			expect({ wxid: sim.wxid, violations: sim.violations }).toEqual({
				wxid: sim.wxid,
				violations: [],
			});
	});

	it('closes the sockets with 1001 when n8n stops, and the bot reconnects with its token once n8n is back', async () => {
		// Only this bot: the others would log in again while n8n is down and record the failure.
		await Promise.all(sims.map(async (other) => await other.close()));
		const lines: string[] = [];
		// A backoff that outlasts n8n's restart (6-20 s here): jittered down, at least 27 s in all.
		const sim = simulator('wxid_ws_restart', {
			reconnectDelaysMs: [2_000, 4_000, 8_000, 8_000, 8_000, 8_000, 8_000, 8_000],
			log: (line) => lines.push(line),
		});
		expect((await sim.login()).ok).toBe(true);
		expect((await sim.reportContact({ friends: 2, groups: 1 })).ok).toBe(true);
		const url = sim.webSocket!.url;

		const stopped = Date.now();
		await n8n.restart();
		await waitForListener(listenerPort);
		const listening = Date.now();

		await until(
			() => sim.stats.reconnects === 1 && sim.webSocket?.connected === true,
			60_000,
			'the bot back on its socket',
			50,
		);
		console.log(
			`[e2e websocket] n8n restarted, listener open after ${listening - stopped} ms; ` +
				`the bot back on its socket after ${Date.now() - stopped} ms`,
		);
		expect(lines).toContainEqual(
			expect.stringMatching(/the WebSocket closed \(code 1001: n8n is shutting down\)/),
		);
		expect(sim.stats.fallbackLogins).toBe(0);
		expect(sim.webSocket!.url).toBe(url);
		await pingForPong(sim);
		expect(sim.stats.polls).toBe(0);
		expect(sim.violations).toEqual([]);
	});
});
