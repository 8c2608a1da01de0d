import { closeAllTaskStores, openTaskStore } from '../../../nodes/WeHub/store/openTaskStore';
import type { TaskStore } from '../../../nodes/WeHub/store/TaskStore';
import { startN8n, type N8nInstance } from '../harness';
import { freePort } from '../harness/freePort';
import { KILL_RUN_WORK_MS, PING_PONG_PATH, pingPongWorkflow } from '../fixtures/pingPongWorkflow';
import {
	E2E_APPID,
	embeddedStoreCredential,
	embeddedStorePath,
	waitForListener,
} from '../fixtures/weHubWorkflows';
import { describeReport, runPingKill } from './pingKill';

/**
 * Issue 17, "An acknowledged event is never lost", in listener mode over HTTP: 30 bots ping a
 * real n8n 2.40.7 (the trigger's own listener, Durable Delivery on by default, the embedded store
 * in n8n's user folder) and poll for their pongs; n8n is SIGKILLed while pings, executions and
 * polls are in flight and started again. Events acknowledged but not finished come back from the
 * inbox once their 30 s lease has run out (up to ~40 s after the restart), and the Send node's
 * idempotency key keeps a pong queued before the kill from being queued again.
 */
describe('n8n killed (SIGKILL) while 30 bots ping through the listener over HTTP', () => {
	let n8n: N8nInstance;
	let store: TaskStore;
	let port: number;

	beforeAll(async () => {
		port = await freePort();
		n8n = await startN8n({
			credentials: [embeddedStoreCredential],
			workflows: [pingPongWorkflow({ receiveVia: 'listener', port }, { waitMs: KILL_RUN_WORK_MS })],
			readyProbes: [],
		});
		await waitForListener(port);
		store = await openTaskStore({ backend: 'embedded', path: embeddedStorePath(n8n.userFolder) });
	});

	afterAll(async () => {
		await closeAllTaskStores();
		await n8n?.stop();
	});

	it('hands every acknowledged ping exactly one pong: none lost, none twice', async () => {
		const report = await runPingKill({
			n8n,
			store,
			callbackUrl: `http://127.0.0.1:${port}/${PING_PONG_PATH}`,
			webSocket: false,
			durable: true,
			waitUntilBack: async () => await waitForListener(port),
			firstWxid: 'wxid_kill_http_1',
			log: (line) => console.log(`[e2e inbox kill, http] ${line}`),
		});
		console.log(`[e2e inbox kill, http]\n${describeReport(report)}`);

		// The kill hit work in flight: acknowledged events whose executions had not ended, some
		// before their pong was queued (the replay queued it), some after (the replay found it).
		expect(report.replayed).toBeGreaterThan(0);
		expect(report.replaysQueuingTheirPong).toBeGreaterThan(0);
		expect(report.replaysFindingTheirPong).toBeGreaterThan(0);
		expect(report.pings.ackedBeforeKill).toBeGreaterThanOrEqual(150);
		expect(report.pings.ackedAfterBack).toBeGreaterThan(0);
		expect(report.timing.settled).toBe(true);

		expect(report.lost.map((o) => o.ping.text)).toEqual([]);
		expect(report.twice.map((o) => o.ping.text)).toEqual([]);
		// A pong whose pull_task answer was being written when n8n died: handed out once by the
		// store, never seen by the bot (at most once; it turns `lost` later). One poll per bot.
		expect(report.answerDiedWithN8n.length).toBeLessThanOrEqual(report.bots);
		expect(report.exactlyOnce + report.answerDiedWithN8n.length).toBe(report.pings.acked);
		expect(await store.inboxList(E2E_APPID)).toEqual([]);
		expect(report.unexpectedViolations).toEqual([]);
	}, 240_000);
});
