import { sendMessageTask, textUnit } from '../../../nodes/WeHub/protocol/tasks';
import { closeAllTaskStores, openTaskStore } from '../../../nodes/WeHub/store/openTaskStore';
import type { TaskState, TaskStore } from '../../../nodes/WeHub/store/TaskStore';
import { createBots } from '../../../sim/runBots';
import type { WeHubSimulator } from '../../../sim/WeHubSimulator';
import { until } from '../../helpers/until';
import { startN8n, type N8nInstance } from '../harness';
import { freePort } from '../harness/freePort';
import {
	E2E_APPID,
	E2E_SECRET_KEY,
	embeddedStoreCredential,
	embeddedStorePath,
	listenerModeWorkflow,
	waitForListener,
} from '../fixtures/weHubWorkflows';

const TASKS = 1_000;
const BOTS = 5;
const KILL_AFTER_RECEIVED = 300;

/**
 * n8n killed with SIGKILL while WeHub clients drain 1,000 queued tasks through the trigger's own
 * listener (embedded lmdb store in n8n's user folder), then started again: the store is the
 * single source of truth, and a hand-out is committed before its answer is sent.
 */
describe('n8n killed (SIGKILL) while bots pull 1,000 queued tasks', () => {
	let n8n: N8nInstance;
	let store: TaskStore;
	let listenerPort: number;
	let bots: WeHubSimulator[] = [];

	beforeAll(async () => {
		listenerPort = await freePort();
		n8n = await startN8n({
			credentials: [embeddedStoreCredential],
			workflows: [listenerModeWorkflow(listenerPort)],
		});
		await waitForListener(listenerPort);
		store = await openTaskStore({ backend: 'embedded', path: embeddedStorePath(n8n.userFolder) });
	});

	afterAll(async () => {
		await Promise.all(bots.map(async (bot) => await bot.close().catch(() => undefined)));
		await closeAllTaskStores();
		await n8n?.stop();
	});

	it('loses no queued task and hands none out twice across the crash and restart', async () => {
		const wxids = Array.from({ length: BOTS }, (_, i) => `wxid_crash_${i + 1}`);
		const queued = new Set<string>();
		for (let i = 0; i < TASKS; i++) {
			const bot = { appid: E2E_APPID, wxid: wxids[i % BOTS] };
			const task = sendMessageTask('wxid_customer8f3k2a', [textUnit(`第 ${i + 1} 条通知`)]);
			queued.add((await store.enqueue(bot, task, { meta: { seq: i } })).task_id);
		}
		// Polling every 20 ms (WeHub's minimum is 1 s) only so the 1,000 tasks pass in seconds.
		bots = createBots(BOTS, {
			callbackUrl: `http://127.0.0.1:${listenerPort}/wehub-listener`,
			appid: E2E_APPID,
			secretKey: E2E_SECRET_KEY,
			wxid: wxids[0],
			pollIntervalMs: 20,
			timeoutMs: 5_000,
		});
		for (const bot of bots) expect((await bot.login()).ok).toBe(true);
		const received = () => bots.reduce((total, bot) => total + bot.tasks.length, 0);

		for (const bot of bots) bot.startPolling();
		await until(() => received() >= KILL_AFTER_RECEIVED, 60_000, `${KILL_AFTER_RECEIVED} tasks`);
		await n8n.kill('SIGKILL');
		const receivedAtKill = received();
		await n8n.restart(); // the bots keep polling into a closed port meanwhile
		await waitForListener(listenerPort);
		const stillQueued = async () =>
			(
				await Promise.all(
					wxids.map(
						async (wxid) => (await store.getBot({ appid: E2E_APPID, wxid }))?.queue_depth ?? 0,
					),
				)
			).reduce((a, b) => a + b, 0);
		await until(async () => (await stillQueued()) === 0, 60_000, 'the queues to drain');
		await Promise.all(bots.map(async (bot) => await bot.stopPolling()));

		const handedTo = new Map<string, string[]>();
		for (const bot of bots) {
			for (const task of bot.tasks) {
				handedTo.set(task.task_id as string, [
					...(handedTo.get(task.task_id as string) ?? []),
					bot.wxid,
				]);
			}
		}
		const states = new Map<string, TaskState | undefined>();
		for (const taskId of queued) states.set(taskId, (await store.get(E2E_APPID, taskId))?.state);
		const withState = (state: TaskState) =>
			[...states].filter(([, s]) => s === state).map(([taskId]) => taskId);

		// Nothing handed out twice, nothing the store never queued, and the crash happened midway.
		expect(bots.map((bot) => bot.stats.duplicateTaskIds)).toEqual(bots.map(() => 0));
		expect([...handedTo].filter(([, to]) => to.length > 1)).toEqual([]);
		expect([...handedTo.keys()].filter((taskId) => !queued.has(taskId))).toEqual([]);
		expect(receivedAtKill).toBeLessThan(TASKS);

		// Every task ends either `done` (its result reached n8n) or `handed_out`. A task stays
		// `handed_out` when n8n died between committing the hand-out and hearing its result:
		// - the pull_task answer was lost with the process: the bot never saw the task, and the store
		//   will not hand it out again (at most once: WeHub may have executed it before the socket
		//   broke, so a re-send could send a WeChat message twice). The sweep marks it `lost` after
		//   the credential's "lost after" time, where a workflow can see and re-queue it;
		// - the bot got the task but its report_task_result hit the dead process (WeHub does not
		//   retry reports): the task was executed, the store never learns it.
		// Each bot has at most one request in flight, so at most BOTS tasks of each kind.
		const unfinished = withState('handed_out');
		const answerLost = unfinished.filter((taskId) => !handedTo.has(taskId));
		const reportLost = unfinished.filter((taskId) => handedTo.has(taskId));
		expect(answerLost.length).toBeLessThanOrEqual(BOTS);
		expect(reportLost.length).toBeLessThanOrEqual(BOTS);
		expect(withState('done').length + unfinished.length).toBe(TASKS);
		expect(withState('done').every((taskId) => handedTo.has(taskId))).toBe(true);
		// handed out to a bot ∪ lost with the killed answer = all 1,000 queued tasks.
		expect(handedTo.size + answerLost.length).toBe(TASKS);

		// The only problems the bots saw are requests n8n could not answer while it was down.
		const problems = bots.flatMap((bot) => bot.violations.map((v) => v.problem));
		expect(problems.filter((problem) => !problem.startsWith('no answer'))).toEqual([]);
	}, 170_000);
});
