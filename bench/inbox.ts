/**
 * `npm run bench:inbox`: what Durable Delivery (the listener's inbox) costs, through a real n8n
 * (2.x on Node 24, started by the e2e harness). One n8n, two workflows that differ only in the
 * trigger's Listener Options › Durable Delivery: on (the default) on one port, off on another,
 * both on the same embedded store, each WeHub Trigger (listener mode, message events) -> NoOp.
 *
 * - Message callbacks (report_new_msg, one text each, every one starting an execution): paced at
 *   BENCH_INBOX_RATE callbacks/s over BENCH_INBOX_CONNECTIONS keep-alive connections for
 *   BENCH_INBOX_SECONDS (15/s, 5, 20 s; BENCH_ROUNDS rounds, 4), below what n8n executes per
 *   second here, so neither side queues up.
 *   Cost = n8n's CPU (utime + stime of the `n8n start` process, executions included) per
 *   callback, read once the listener reports no execution running. `inbox_callback_cost_ratio` is
 *   the median of the per-round ratios with / without; the ack's latency (the inbox write comes
 *   before the ack) as `inbox_callback_p50_ratio`.
 * - pull_task (no inbox entry is written for it): unpaced, BENCH_CONNECTIONS (50) connections,
 *   BENCH_SECONDS (8) per run, BENCH_POLL_ROUNDS (6) rounds;
 *   `inbox_pull_task_cost_ratio` (n8n CPU per poll, with / without) and `inbox_pull_task_rate_ratio`
 *   (req/s, with / without).
 * - The listener alone, without n8n (bench/inboxListenerServer.ts, one child process per side, its
 *   "execution" ending at once): message callbacks unpaced over BENCH_CONNECTIONS connections, the
 *   child's CPU per callback: `inbox_callback_cost_ratio_listener_only`, what n8n's execution
 *   cost dilutes in the figure above.
 *
 * Fairness: the same bodies, connections and durations for both; rounds alternate which side goes
 * first; a warm-up run per side first, unmeasured; the load average is recorded with every run.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';
import { loadavg } from 'os';
import { join } from 'path';

import { Random } from '../sim/random';
import { buildMessage } from '../sim/messages';
import { ensureBuilt } from '../test/e2e/harness/ensureBuilt';
import { freePort } from '../test/e2e/harness/freePort';
import type { WorkflowJson } from '../test/e2e/harness/runtime';
import { startN8n } from '../test/e2e/harness/startN8n';
import {
	E2E_APPID,
	embeddedStoreCredential,
	waitForListener,
} from '../test/e2e/fixtures/weHubWorkflows';
import { sleep } from '../test/helpers/sleep';
import { cpuMs, loadAverages, n8nPid } from './proc';
import { median2 } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const POLL_ROUNDS = Number(process.env.BENCH_POLL_ROUNDS ?? 6);
const RATE = Number(process.env.BENCH_INBOX_RATE ?? 15);
const CALLBACK_CONNECTIONS = Number(process.env.BENCH_INBOX_CONNECTIONS ?? 5);
const CALLBACK_SECONDS = Number(process.env.BENCH_INBOX_SECONDS ?? 20);
const POLL_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const POLL_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const BOTS = 20;
const RESULTS = join(__dirname, 'results.json');

type Side = 'with_inbox' | 'without_inbox';

interface Listener {
	side: Side;
	port: number;
	url: string;
	/** The process whose CPU is measured: n8n, or the listener's own child process. */
	pid: number;
	/** Executions stored so far (n8n): the callbacks that started one, counted exactly. */
	executions?: () => Promise<number>;
}

/** What is sent: paced message callbacks (each starting an execution), or unpaced ones, or polls. */
type Kind = 'callback' | 'callback_unpaced' | 'pull_task';

interface Run {
	side: Side;
	requests: number;
	requests_per_s: number;
	p50_ms: number;
	p99_ms: number;
	non_2xx: number;
	errors: number;
	timeouts: number;
	/** CPU of the measured process per request (per execution started, when counted). */
	cpu_ms_per_request: number;
	load_average_1m: number;
}

function workflow(side: Side, port: number): WorkflowJson & { id: string } {
	const durable = side === 'with_inbox';
	const id = durable ? 'benchInboxOn0001' : 'benchInboxOff001';
	const uuid = durable
		? '3f4a2b10-7c1d-4e8a-9b2f-0000000001'
		: '3f4a2b10-7c1d-4e8a-9b2f-0000000002';
	return {
		id,
		name: `Inbox bench, Durable Delivery ${durable ? 'on' : 'off'}`,
		active: true,
		nodes: [
			{
				id: `${uuid}01`,
				name: 'WeHub Trigger',
				type: 'n8n-nodes-wehub.weHubTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: `${uuid}00`,
				credentials: {
					weHubApi: { id: embeddedStoreCredential.id, name: embeddedStoreCredential.name },
				},
				parameters: {
					receiveVia: 'listener',
					path: 'wehub-inbox-bench',
					listenerHost: '127.0.0.1',
					listenerPort: port,
					listenerOptions: durable ? {} : { durableDelivery: false },
					events: ['message'],
				},
			},
			{
				id: `${uuid}02`,
				name: 'Received',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [240, 0],
				parameters: {},
			},
		],
		connections: { 'WeHub Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** One text message per bot, as WeHub 0.4.26 reports it: each callback starts one execution. */
function messageBodies(): Array<{ method: string; headers: Record<string, string>; body: string }> {
	const random = new Random(17);
	return Array.from({ length: BOTS }, (_, bot) => {
		const wxid = `wxid_inbox_bench_${bot + 1}`;
		const { unit } = buildMessage(
			'text',
			{ from: `wxid_customer_${bot + 1}`, text: `订单 #${2000 + bot} 什么时候发货？` },
			{ version: '0.4.26', botWxid: wxid, random },
		);
		return {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				action: 'report_new_msg',
				appid: E2E_APPID,
				wxid,
				data: { msg: unit },
			}),
		};
	});
}

const pullTaskBodies = Array.from({ length: BOTS }, (_, bot) => ({
	method: 'POST',
	headers: { 'content-type': 'application/json' },
	body: JSON.stringify({
		action: 'pull_task',
		appid: E2E_APPID,
		wxid: `wxid_inbox_bench_${bot + 1}`,
		data: {},
	}),
}));

/** Until the listener runs no execution and holds no ack: the callbacks' work is all done. */
async function drained(listener: Listener): Promise<void> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		const health = (await (await fetch(`http://127.0.0.1:${listener.port}/healthz`)).json()) as {
			data: { running_executions: number; waiting_acks: number };
		};
		if (health.data.running_executions === 0 && health.data.waiting_acks === 0) return;
		if (Date.now() > deadline) throw new Error(`${listener.side}: executions still running`);
		await sleep(100);
	}
}

async function measure(listener: Listener, kind: Kind, warmUp = false): Promise<Run> {
	const load = loadavg()[0];
	await drained(listener);
	const before = cpuMs(listener.pid);
	const executionsBefore = await listener.executions?.();
	const result = await autocannon({
		url: listener.url,
		duration: warmUp ? 3 : kind === 'callback' ? CALLBACK_SECONDS : POLL_SECONDS,
		timeout: 30, // WeHub's answer timeout
		...(kind === 'callback'
			? { connections: CALLBACK_CONNECTIONS, overallRate: RATE, requests: messageBodies() }
			: {
					connections: POLL_CONNECTIONS,
					requests: kind === 'pull_task' ? pullTaskBodies : messageBodies(),
				}),
	});
	await drained(listener);
	const cpu = cpuMs(listener.pid) - before;
	// autocannon's total leaves out answers still in flight when its time is up.
	const requests =
		executionsBefore === undefined || kind === 'pull_task'
			? (result.requests.total ?? 0)
			: (await listener.executions!()) - executionsBefore;
	const run: Run = {
		side: listener.side,
		requests,
		requests_per_s: Math.round(result.requests.average * 10) / 10,
		p50_ms: result.latency.p50,
		p99_ms: result.latency.p99,
		non_2xx: result.non2xx,
		errors: result.errors,
		timeouts: result.timeouts ?? 0,
		cpu_ms_per_request: requests > 0 ? Math.round((cpu / requests) * 1000) / 1000 : 0,
		load_average_1m: Math.round(load * 100) / 100,
	};
	if (!warmUp) console.log(kind, run);
	return run;
}

/** The ack of one callback of each kind, checked by hand: error_code 0, or the bench is void. */
async function checkAcks(listener: Listener): Promise<void> {
	for (const request of [messageBodies()[0], pullTaskBodies[0]]) {
		const answer = (await (
			await fetch(listener.url, { method: 'POST', headers: request.headers, body: request.body })
		).json()) as { error_code: number; error_reason: string };
		if (answer.error_code !== 0) {
			throw new Error(
				`${listener.side} answered error_code ${answer.error_code}: ${answer.error_reason}`,
			);
		}
	}
}

function summary(runs: Run[]) {
	return {
		median_cpu_ms_per_request: median2(runs.map((run) => run.cpu_ms_per_request)),
		median_requests_per_s: median2(runs.map((run) => run.requests_per_s)),
		median_p50_ms: median2(runs.map((run) => run.p50_ms)),
		median_p99_ms: median2(runs.map((run) => run.p99_ms)),
		runs,
	};
}

/** Each round both sides, the first one alternating. */
async function rounds(
	listeners: Record<Side, Listener>,
	kind: Kind,
	count: number,
): Promise<Record<Side, Run[]>> {
	for (const listener of Object.values(listeners)) await measure(listener, kind, true);
	const runs: Record<Side, Run[]> = { with_inbox: [], without_inbox: [] };
	for (let round = 0; round < count; round++) {
		const order: Side[] =
			round % 2 === 0 ? ['with_inbox', 'without_inbox'] : ['without_inbox', 'with_inbox'];
		console.log(`${kind} round ${round + 1}/${count}: ${order.join(', ')}`);
		for (const side of order) runs[side].push(await measure(listeners[side], kind));
	}
	return runs;
}

const ratioOf = (runs: Record<Side, Run[]>, pick: (run: Run) => number) =>
	median2(runs.with_inbox.map((run, round) => pick(run) / pick(runs.without_inbox[round])));

/** The listener alone in a child process of its own, on its own store. */
async function startListenerChild(
	side: Side,
): Promise<{ listener: Listener; child: ChildProcess }> {
	const port = await freePort();
	const child = spawn(
		process.execPath,
		['-r', './test/helpers/tsRequireHook.js', 'bench/inboxListenerServer.ts', String(port), side],
		{ cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
	);
	await new Promise<void>((resolve, reject) => {
		child.once('exit', (code) => reject(new Error(`the ${side} listener exited (${code})`)));
		child.stdout?.on('data', (chunk: Buffer) => {
			if (chunk.toString().includes('ready')) resolve();
		});
	});
	const listener = {
		side,
		port,
		url: `http://127.0.0.1:${port}/wehub-inbox-bench`,
		pid: child.pid as number,
	};
	await checkAcks(listener);
	return { listener, child };
}

async function listenerAlone(): Promise<Record<Side, Run[]>> {
	const children: ChildProcess[] = [];
	try {
		const listeners = {} as Record<Side, Listener>;
		for (const side of ['with_inbox', 'without_inbox'] as Side[]) {
			const started = await startListenerChild(side);
			children.push(started.child);
			listeners[side] = started.listener;
		}
		return await rounds(listeners, 'callback_unpaced', POLL_ROUNDS);
	} finally {
		for (const child of children) {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await exited;
		}
	}
}

async function main(): Promise<void> {
	ensureBuilt();
	const loadAtStart = loadAverages();
	const ports: Record<Side, number> = {
		with_inbox: await freePort(),
		without_inbox: await freePort(),
	};
	const workflows = {
		with_inbox: workflow('with_inbox', ports.with_inbox),
		without_inbox: workflow('without_inbox', ports.without_inbox),
	};
	const n8n = await startN8n({
		credentials: [embeddedStoreCredential],
		workflows: [workflows.with_inbox, workflows.without_inbox],
		readyProbes: [],
	});
	let callbacks: Record<Side, Run[]>;
	let polls: Record<Side, Run[]>;
	let executions: Record<Side, number>;
	try {
		const pid = n8nPid(n8n.port);
		const listeners = {} as Record<Side, Listener>;
		for (const side of ['with_inbox', 'without_inbox'] as Side[]) {
			await waitForListener(ports[side]);
			const workflowId = workflows[side].id;
			listeners[side] = {
				side,
				port: ports[side],
				url: `http://127.0.0.1:${ports[side]}/wehub-inbox-bench`,
				pid,
				executions: async () => (await n8n.listExecutions(workflowId)).length,
			};
			await checkAcks(listeners[side]);
		}
		callbacks = await rounds(listeners, 'callback', ROUNDS);
		polls = await rounds(listeners, 'pull_task', POLL_ROUNDS);
		executions = {
			with_inbox: await listeners.with_inbox.executions!(),
			without_inbox: await listeners.without_inbox.executions!(),
		};
	} finally {
		await n8n.stop();
	}
	// Alone on the machine's two cores, n8n stopped.
	const alone = await listenerAlone();

	const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
	results.inbox_callback_cost_ratio = ratioOf(callbacks, (run) => run.cpu_ms_per_request);
	results.inbox_callback_p50_ratio = ratioOf(callbacks, (run) => run.p50_ms);
	results.inbox_pull_task_cost_ratio = ratioOf(polls, (run) => run.cpu_ms_per_request);
	results.inbox_pull_task_rate_ratio = ratioOf(polls, (run) => run.requests_per_s);
	results.inbox_callback_cost_ratio_listener_only = ratioOf(alone, (run) => run.cpu_ms_per_request);
	results.inbox_callback_rate_ratio_listener_only = ratioOf(alone, (run) => run.requests_per_s);
	results.inbox_cost = {
		command: 'npm run bench:inbox',
		n8n: n8n.paths.version,
		store: 'embedded',
		callbacks: {
			rounds: ROUNDS,
			rate_per_s: RATE,
			connections: CALLBACK_CONNECTIONS,
			seconds_per_run: CALLBACK_SECONDS,
			cpu: 'n8n process per execution started',
			with_inbox: summary(callbacks.with_inbox),
			without_inbox: summary(callbacks.without_inbox),
			executions_stored: executions,
		},
		pull_task: {
			rounds: POLL_ROUNDS,
			connections: POLL_CONNECTIONS,
			seconds_per_run: POLL_SECONDS,
			cpu: 'n8n process per answered poll',
			with_inbox: summary(polls.with_inbox),
			without_inbox: summary(polls.without_inbox),
		},
		listener_only_callbacks: {
			rounds: POLL_ROUNDS,
			connections: POLL_CONNECTIONS,
			seconds_per_run: POLL_SECONDS,
			cpu: 'listener child process per answered callback (its execution ends at once)',
			with_inbox: summary(alone.with_inbox),
			without_inbox: summary(alone.without_inbox),
		},
		load_average_at_start: loadAtStart,
		load_average_at_end: loadAverages(),
	};
	writeFileSync(RESULTS, `${JSON.stringify(results, null, '\t')}\n`);
	for (const key of [
		'inbox_callback_cost_ratio',
		'inbox_callback_p50_ratio',
		'inbox_pull_task_cost_ratio',
		'inbox_pull_task_rate_ratio',
		'inbox_callback_cost_ratio_listener_only',
		'inbox_callback_rate_ratio_listener_only',
	]) {
		console.log(`${key} = ${String(results[key])}`);
	}
	console.log('executions stored', executions);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
