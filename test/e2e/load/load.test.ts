import { sendMessageTask, textUnit } from '../../../nodes/WeHub/protocol/tasks';
import { closeAllTaskStores, openTaskStore } from '../../../nodes/WeHub/store/openTaskStore';
import type { TaskStore } from '../../../nodes/WeHub/store/TaskStore';
import { Random } from '../../../sim/random';
import { botWxids } from '../../../sim/runBots';
import { startN8n, type N8nInstance } from '../harness';
import { freePort } from '../harness/freePort';
import {
	E2E_APPID,
	E2E_SECRET_KEY,
	embeddedStoreCredential,
	embeddedStorePath,
	listenerModeWorkflow,
	waitForListener,
	webhookModeWorkflow,
} from '../fixtures/weHubWorkflows';
import { runFleet, type FleetResult } from './botFleet';

/**
 * A fleet of WeHub clients against one real n8n. Correctness only: latency is measured and
 * written to docs/benchmarks.md by `npm run bench:n8n`, never asserted here.
 *
 * The fleet of 200 bots runs against the trigger's own listener: n8n's webhook path answers about
 * 40 requests per second on this class of machine by design (n8n reloads the workflow and builds
 * an expression isolate per request), far below 200 polls per second. The webhook path gets a
 * smaller fleet at a rate it sustains.
 */
describe('WeHub bots polling pull_task on a real n8n', () => {
	let n8n: N8nInstance;
	let store: TaskStore;
	let listenerPort: number;
	const random = new Random(20_261_109);

	/** Queues `count` texts, each for a bot picked at random; returns task_id -> its bot. */
	async function queueForRandomBots(wxids: string[], count: number): Promise<Map<string, string>> {
		const owners = new Map<string, string>();
		for (let i = 0; i < count; i++) {
			const wxid = wxids[random.int(0, wxids.length - 1)];
			const task = sendMessageTask('wxid_customer8f3k2a', [textUnit(`订单 #${1000 + i} 已发货`)]);
			const record = await store.enqueue({ appid: E2E_APPID, wxid }, task, { meta: { seq: i } });
			owners.set(record.task_id, wxid);
		}
		return owners;
	}

	/** Every queued task reached its own bot exactly once and was reported done. */
	async function expectEachTaskHandedOutOnce(fleet: FleetResult, owners: Map<string, string>) {
		expect(fleet.violations.slice(0, 5)).toEqual([]);
		expect(fleet.duplicateTaskIds).toBe(0);
		const received = [...fleet.receivers.entries()];
		expect(received.filter(([, bots]) => bots.length > 1)).toEqual([]);
		expect(new Set(received.map(([taskId]) => taskId))).toEqual(new Set(owners.keys()));
		for (const [taskId, [wxid]] of received) expect(wxid).toBe(owners.get(taskId));
		const states = await Promise.all(
			[...owners.keys()].map(async (taskId) => (await store.get(E2E_APPID, taskId))?.state),
		);
		expect(new Set(states)).toEqual(new Set(['done']));
		for (const bot of fleet.bots) expect(bot.stats.requestsByAction.pull_task).toBeGreaterThan(0);
	}

	beforeAll(async () => {
		listenerPort = await freePort();
		n8n = await startN8n({
			credentials: [embeddedStoreCredential],
			workflows: [listenerModeWorkflow(listenerPort), webhookModeWorkflow()],
		});
		await waitForListener(listenerPort);
		// The test process opens the same lmdb store n8n uses (lmdb is safe across processes).
		store = await openTaskStore({ backend: 'embedded', path: embeddedStorePath(n8n.userFolder) });
	});

	afterAll(async () => {
		await closeAllTaskStores();
		await n8n?.stop();
	});

	it('200 bots polling every second for a minute through the listener: no error, no task twice', async () => {
		const wxids = botWxids('wxid_load_1', 200);
		const owners = await queueForRandomBots(wxids, 300);

		const fleet = await runFleet({
			callbackUrl: `http://127.0.0.1:${listenerPort}/wehub-listener`,
			appid: E2E_APPID,
			secretKey: E2E_SECRET_KEY,
			bots: 200,
			firstWxid: 'wxid_load_1',
			pollIntervalMs: 1000,
			durationMs: 60_000,
			expectTasks: owners.size,
			drainTimeoutMs: 20_000,
		});

		await expectEachTaskHandedOutOnce(fleet, owners);
	}, 150_000);

	it("20 bots polling every second for 15 s through n8n's webhook path: no error, no task twice", async () => {
		const wxids = botWxids('wxid_hook_1', 20);
		const owners = await queueForRandomBots(wxids, 30);

		const fleet = await runFleet({
			callbackUrl: n8n.webhookUrl('wehub-webhook'),
			appid: E2E_APPID,
			secretKey: E2E_SECRET_KEY,
			bots: 20,
			firstWxid: 'wxid_hook_1',
			pollIntervalMs: 1000,
			durationMs: 15_000,
			expectTasks: owners.size,
			drainTimeoutMs: 30_000,
		});

		await expectEachTaskHandedOutOnce(fleet, owners);
	}, 90_000);
});
