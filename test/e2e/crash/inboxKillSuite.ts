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

export type KillTransport = 'http' | 'websocket';

/**
 * The kill test of issue 17 for one listener transport, as one describe block: each transport has
 * its own test file, so Jest runs the two (about 80 s each) in parallel workers.
 */
export function describeInboxKill(transport: KillTransport, title: string): void {
	const webSocket = transport === 'websocket';
	const label = `[e2e inbox kill, ${transport}]`;

	describe(title, () => {
		let n8n: N8nInstance;
		let store: TaskStore;
		let port: number;

		beforeAll(async () => {
			port = await freePort();
			n8n = await startN8n({
				credentials: [embeddedStoreCredential],
				workflows: [
					pingPongWorkflow(
						{ receiveVia: 'listener', port, webSocket },
						{ waitMs: KILL_RUN_WORK_MS },
					),
				],
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
				webSocket,
				durable: true,
				waitUntilBack: async () => await waitForListener(port),
				firstWxid: webSocket ? 'wxid_kill_ws_1' : 'wxid_kill_http_1',
				log: (line) => console.log(`${label} ${line}`),
			});
			console.log(`${label}\n${describeReport(report)}`);

			// The kill hit work in flight: acknowledged events whose executions had not ended, some
			// before their pong was queued (the replay queued it), some after (the replay found it).
			expect(report.replayed).toBeGreaterThan(0);
			expect(report.replaysQueuingTheirPong).toBeGreaterThan(0);
			expect(report.replaysFindingTheirPong).toBeGreaterThan(0);
			expect(report.pings.ackedBeforeKill).toBeGreaterThanOrEqual(150);
			expect(report.pings.ackedAfterBack).toBeGreaterThan(0);
			expect(report.timing.settled).toBe(true);
			// Over the socket every pong is pushed, none polled.
			if (webSocket) expect(report.pongsPolled).toBe(0);

			expect(report.lost.map((o) => o.ping.text)).toEqual([]);
			expect(report.twice.map((o) => o.ping.text)).toEqual([]);
			// A pong whose answer (pull_task ack or push frame) was being written when n8n died:
			// handed out once by the store, never seen by the bot (at most once; it turns `lost`
			// later). One poll or push in flight per bot.
			expect(report.answerDiedWithN8n.length).toBeLessThanOrEqual(report.bots);
			expect(report.exactlyOnce + report.answerDiedWithN8n.length).toBe(report.pings.acked);
			expect(await store.inboxList(E2E_APPID)).toEqual([]);
			expect(report.unexpectedViolations).toEqual([]);
		}, 240_000);
	});
}
