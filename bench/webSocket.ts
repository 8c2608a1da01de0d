/**
 * `npm run bench:ws`: the WeHub Trigger's WebSocket (WeHub 0.4.2+, listener mode with Offer
 * WebSocket) against polling, through a real n8n 2.x, with the load generator in a process of its
 * own (bench/webSocketFleet.ts) so that n8n's CPU and memory are n8n's alone.
 *
 * - `ws_vs_poll_delivery_latency`: median time from a task's enqueue (queued by the WeHub action
 *   node inside n8n, as a workflow queues it) to its arrival at the bot, on the socket divided by
 *   polling every second, both sides probed alternately in the same minute.
 * - `ws_idle_cpu_vs_poll`: n8n's CPU per idle bot over a minute (30 s heartbeats) divided by the
 *   same for a bot polling every second; n8n's own idle CPU (no bots) subtracted from both. The
 *   socket side is the minute in which all CONNECTED_BOTS are connected and idle (the more bots, the
 *   further above n8n's noise, and any cost that grows with the number of sockets shows).
 * - `ws_connected_bots`: bots held connected at once, heartbeating, while tasks queued for
 *   randomly chosen ones still arrive within 1 s at the 99th percentile; n8n's memory per bot.
 *
 * Order, against one n8n: latency (50 + 50 bots), n8n alone, the connected socket bots (idle
 * minute, then probes), then POLL_BOTS polling for a minute.
 *
 * Every figure carries the load averages around it; a CPU figure measured while the 1-minute load
 * average exceeded LOAD_LIMIT (other work on the machine) is measured once more and the quieter
 * attempt is kept (both are recorded).
 */
import { execFile, execFileSync, fork, type ChildProcess } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';

import { botWxids } from '../sim/runBots';
import { sleep } from '../test/helpers/sleep';
import { closeAllTaskStores } from '../nodes/WeHub/store/openTaskStore';
import { ensureBuilt } from '../test/e2e/harness/ensureBuilt';
import { freePort } from '../test/e2e/harness/freePort';
import { startN8n, type N8nInstance } from '../test/e2e/harness/startN8n';
import { databaseFile, type WorkflowJson } from '../test/e2e/harness/runtime';
import {
	E2E_APPID,
	E2E_SECRET_KEY,
	embeddedStoreCredential,
	listenerModeWorkflow,
	waitForListener,
} from '../test/e2e/fixtures/weHubWorkflows';
import { N8nInspector } from './inspector';
import { cpuMs, loadAverages, mainThreadCpuMs, memory, n8nPid, type Memory } from './proc';
import type { Arrival, FleetAnswer, FleetKind, FleetRequest, FleetStatus } from './webSocketFleet';
import { median } from './stats';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const HEARTBEAT_SECONDS = num('BENCH_WS_HEARTBEAT_SECONDS', 30);
/**
 * n8n's CPU with no bot at all, in windows of 10 s: their median is its idle rate. Once in its
 * first minute or two n8n has a burst of its own (~100 ms/s for ~10 s, RSS up by ~440 MB and
 * back), which the median of three windows leaves out.
 */
const BASELINE_SECONDS = num('BENCH_WS_BASELINE_SECONDS', 30);
/** Bots polling every second for the idle-CPU comparison (the socket side is the CONNECTED_BOTS). */
const POLL_BOTS = num('BENCH_WS_POLL_BOTS', 1000);
const IDLE_SECONDS = num('BENCH_WS_IDLE_SECONDS', 60);
/** n8n works in bursts for ~30 s after it is ready: its idle CPU is read after this. */
const SETTLE_AFTER_START_MS = num('BENCH_WS_SETTLE_SECONDS', 40) * 1000;
const LATENCY_BOTS = num('BENCH_WS_LATENCY_BOTS', 50);
const LATENCY_PROBES = num('BENCH_WS_LATENCY_PROBES', 60);
const CONNECTED_BOTS = num('BENCH_WS_BOTS', 10_000);
const CONNECTED_PROBES = num('BENCH_WS_CONNECTED_PROBES', 150);
const PROBE_INTERVAL_MS = num('BENCH_WS_PROBE_INTERVAL_MS', 200);
const LOGIN_CONCURRENCY = num('BENCH_WS_LOGIN_CONCURRENCY', 100);
/** A 1-minute load average above this (2 cores) means other work competed: measure again. */
const LOAD_LIMIT = num('BENCH_WS_LOAD_LIMIT', 3);
const FILE_LIMIT = num('BENCH_WS_FILE_LIMIT', 65_536);
const RESULTS = join(__dirname, 'results.json');
const LISTENER_PATH = 'wehub-ws';
const ENQUEUE_PATH = 'wehub-bench-enqueue';
const ENQUEUE_WORKFLOW_ID = 'benchWsEnqueue01';
const QUEUE_NODE = 'Queue Text';

/* ------------------------------------------------------------------ set-up */

/**
 * Sockets are file descriptors: raise this process's limit before n8n and the load generator are
 * started, so both inherit it. Without CAP_SYS_RESOURCE only the soft limit can move, up to the
 * hard one (Node already raises it that far when it starts).
 */
function raiseFileLimit(): { soft: number; hard: number } {
	const read = () => {
		const line = /^Max open files\s+(\d+)\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
		return { soft: Number(line?.[1] ?? 0), hard: Number(line?.[2] ?? 0) };
	};
	const pid = String(process.pid);
	try {
		execFileSync('prlimit', ['--pid', pid, `--nofile=${FILE_LIMIT}:${FILE_LIMIT}`], {
			stdio: 'ignore',
		});
	} catch {
		const { hard } = read();
		console.warn(`prlimit cannot raise the hard open-files limit here: keeping ${hard}`);
		execFileSync('prlimit', ['--pid', pid, `--nofile=${hard}:${hard}`], { stdio: 'ignore' });
	}
	return read();
}

const credentials = {
	weHubApi: { id: embeddedStoreCredential.id, name: embeddedStoreCredential.name },
};

/** The WeHub Trigger in listener mode offering the WebSocket (30 s heartbeats). */
function listenerWorkflow(port: number): WorkflowJson {
	const workflow = listenerModeWorkflow(port, LISTENER_PATH);
	const [trigger, ...rest] = workflow.nodes;
	return {
		...workflow,
		nodes: [
			{
				...trigger,
				parameters: {
					...trigger.parameters,
					listenerOptions: {
						offerWebSocket: true,
						webSocketHeartbeatSeconds: HEARTBEAT_SECONDS,
						maxWebSocketConnections: Math.max(20_000, CONNECTED_BOTS),
						maxConcurrentRequests: 1024,
					},
				},
			},
			...rest,
		],
	};
}

/**
 * How a workflow queues a task: n8n's Webhook node, then the WeHub node's Send Message to the bot
 * named in the body. The answer (responseMode lastNode) is the queued task's record.
 */
const enqueueWorkflow: WorkflowJson = {
	id: ENQUEUE_WORKFLOW_ID,
	name: 'Bench: queue a text',
	active: true,
	nodes: [
		{
			id: '3c0b7e55-8a41-4d0e-9f6a-0c5d1e2f3a01',
			name: 'Queue Request',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '3c0b7e55-8a41-4d0e-9f6a-0c5d1e2f3a0b',
			parameters: { httpMethod: 'POST', path: ENQUEUE_PATH, responseMode: 'lastNode', options: {} },
		},
		{
			id: '3c0b7e55-8a41-4d0e-9f6a-0c5d1e2f3a02',
			name: QUEUE_NODE,
			type: 'n8n-nodes-wehub.weHub',
			typeVersion: 1,
			position: [220, 0],
			credentials,
			parameters: {
				resource: 'message',
				operation: 'send',
				botWxid: '={{ $json.body.bot }}',
				sendTo: 'wxid',
				toWxid: 'wxid_customer8f3k2a',
				messages: { unit: [{ type: 'text', text: '您的订单已发货' }] },
				options: {},
			},
		},
	],
	connections: { 'Queue Request': { main: [[{ node: QUEUE_NODE, type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

/* ------------------------------------------------------------------ the load generator */

class Fleet {
	private readonly child: ChildProcess;
	private nextId = 1;
	private readonly waiting = new Map<number, (answer: FleetAnswer) => void>();
	private readonly ready: Promise<void>;
	/** The load generator's own CPU time at its last answer, ms. */
	cpuMs = 0;
	rssMb = 0;

	constructor(callbackUrl: string) {
		this.child = fork(join(__dirname, 'webSocketFleet.ts'), [], {
			execArgv: [
				'-r',
				join(__dirname, '..', 'test', 'helpers', 'tsRequireHook.js'),
				'--max-old-space-size=4096',
			],
			env: {
				...process.env,
				WEHUB_BENCH_FLEET: JSON.stringify({
					callbackUrl,
					appid: E2E_APPID,
					secretKey: E2E_SECRET_KEY,
				}),
			},
		});
		this.ready = new Promise((resolve, reject) => {
			this.child.once('exit', (code) => reject(new Error(`the load generator exited (${code})`)));
			this.child.on('message', (answer: FleetAnswer) => {
				if (answer.id === 0) return resolve();
				this.cpuMs = answer.cpu_ms;
				this.rssMb = answer.rss_mb;
				this.waiting.get(answer.id)?.(answer);
				this.waiting.delete(answer.id);
			});
		});
	}

	get pid(): number {
		return this.child.pid as number;
	}

	async request<T>(request: FleetRequest): Promise<T> {
		await this.ready;
		const id = this.nextId++;
		const answer = await new Promise<FleetAnswer>((resolve) => {
			this.waiting.set(id, resolve);
			this.child.send({ id, request });
		});
		if (!answer.ok) throw new Error(`load generator, ${request.type}: ${answer.error}`);
		return answer.result as T;
	}

	async login(group: string, kind: FleetKind, firstWxid: string, count: number) {
		const result = await this.request<{
			logged_in: number;
			on_websocket: number;
			failed: number;
			failures: Array<[string, string]>;
			seconds: number;
		}>({ type: 'login', group, kind, firstWxid, count, concurrency: LOGIN_CONCURRENCY });
		console.log(`${group}: ${count} ${kind} bots logged in`, result);
		if (result.logged_in !== count) {
			throw new Error(`${group}: ${count - result.logged_in} bots could not log in`);
		}
		if (kind === 'ws' && result.on_websocket !== count) {
			throw new Error(`${group}: only ${result.on_websocket} of ${count} bots are on the socket`);
		}
		return result;
	}

	async status(group: string): Promise<FleetStatus> {
		return await this.request<FleetStatus>({ type: 'status', group });
	}

	async close(group: string): Promise<FleetStatus> {
		return await this.request<FleetStatus>({ type: 'close', group });
	}

	stop(): void {
		this.child.kill();
	}
}

/* ------------------------------------------------------------------ probes */

interface Probe {
	side: string;
	wxid: string;
	/** Epoch ms when the probe's request left. */
	sent_at: number;
	task_id?: string;
	/** The task record's created_at: taken just before the enqueue's write transaction. */
	created_at?: number;
	error?: string;
}

/** Queues one text for `wxid` through the enqueue workflow; resolves with the queued record. */
async function probe(n8n: N8nInstance, side: string, wxid: string): Promise<Probe> {
	const sent: Probe = { side, wxid, sent_at: Date.now() };
	try {
		const response = await fetch(n8n.webhookUrl(ENQUEUE_PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ bot: wxid }),
			signal: AbortSignal.timeout(30_000),
		});
		const record = (await response.json()) as { task_id?: string; created_at?: number };
		if (typeof record.task_id !== 'string') throw new Error(JSON.stringify(record).slice(0, 300));
		return { ...sent, task_id: record.task_id, created_at: record.created_at };
	} catch (error) {
		return { ...sent, error: (error as Error).message };
	}
}

/** Fires probes every PROBE_INTERVAL_MS (not waiting for one to finish before the next). */
async function probeEvery(
	n8n: N8nInstance,
	targets: Array<{ side: string; wxid: string }>,
): Promise<Probe[]> {
	const probes: Array<Promise<Probe>> = [];
	for (const target of targets) {
		probes.push(probe(n8n, target.side, target.wxid));
		await sleep(PROBE_INTERVAL_MS);
	}
	return await Promise.all(probes);
}

/** When the WeHub node's execute() had returned, per task_id (read from n8n's database). */
async function nodeEnds(n8n: N8nInstance): Promise<Map<string, number>> {
	const { stdout } = await promisify(execFile)(
		n8n.paths.nodeBin,
		[
			'--no-warnings',
			join(__dirname, 'nodeEnds.js'),
			databaseFile(n8n.userFolder),
			ENQUEUE_WORKFLOW_ID,
			QUEUE_NODE,
		],
		{ cwd: n8n.paths.n8nRoot, maxBuffer: 64 * 1024 * 1024 },
	);
	const ends = JSON.parse(stdout) as Array<{ task_id: string; node_end_ms: number }>;
	return new Map(ends.map((end) => [end.task_id, end.node_end_ms]));
}

interface Delivery {
	side: string;
	wxid: string;
	task_id: string;
	created_at: number;
	received_at: number | null;
}

function deliveries(probes: Probe[], arrivals: Arrival[]): Delivery[] {
	const byTask = new Map(arrivals.map((arrival) => [arrival.task_id, arrival]));
	return probes.flatMap((p) => {
		if (p.task_id === undefined || p.created_at === undefined) return [];
		const arrival = byTask.get(p.task_id);
		if (arrival && arrival.wxid !== p.wxid) throw new Error(`${p.task_id} reached the wrong bot`);
		return [
			{
				side: p.side,
				wxid: p.wxid,
				task_id: p.task_id,
				created_at: p.created_at,
				received_at: arrival?.received_at ?? null,
			},
		];
	});
}

/* ------------------------------------------------------------------ figures */

function quantile(values: number[], q: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Latency of each delivered probe, from the store's enqueue resolving, as the end of the WeHub
 * node's run that queued it (n8n's startTime + executionTime: taken after execute() returned,
 * which is right after the enqueue resolved, so this errs short by well under 1 ms plus the
 * rounding to ms), and from the record's created_at (taken before the enqueue's write
 * transaction: an upper bound that adds the enqueue's own commit). Undelivered probes count as
 * infinitely late.
 */
function latencyFigures(list: Delivery[], ends: Map<string, number>) {
	const fromCreated = list.map((d) =>
		d.received_at === null ? Infinity : d.received_at - d.created_at,
	);
	const fromResolved = list.flatMap((d) => {
		const end = ends.get(d.task_id);
		if (end === undefined) return [];
		return [d.received_at === null ? Infinity : d.received_at - end];
	});
	return {
		probes: list.length,
		delivered: list.filter((d) => d.received_at !== null).length,
		from_enqueue_start_ms: {
			p50: median(fromCreated),
			p99: quantile(fromCreated, 0.99),
			max: Math.max(...fromCreated),
		},
		from_enqueue_resolved_ms: {
			samples: fromResolved.length,
			p50: median(fromResolved),
			p99: quantile(fromResolved, 0.99),
		},
	};
}

interface Loaded {
	load_average_before: number[];
	load_average_after: number[];
}

const peakLoad = (measured: Loaded) =>
	Math.max(measured.load_average_before[0], measured.load_average_after[0]);

/**
 * Runs a measurement, and once more when the 1-minute load average around it exceeded
 * LOAD_LIMIT; keeps the quieter attempt, records both.
 */
async function quietest<T extends Loaded>(
	label: string,
	measure: () => Promise<T>,
): Promise<{ kept: T; attempts: T[] }> {
	const attempts = [await measure()];
	if (peakLoad(attempts[0]) > LOAD_LIMIT) {
		console.log(`${label}: load average ${peakLoad(attempts[0])} > ${LOAD_LIMIT}, measuring again`);
		attempts.push(await measure());
	}
	const kept = attempts.reduce((best, a) => (peakLoad(a) < peakLoad(best) ? a : best));
	return { kept, attempts };
}

interface CpuWindow extends Loaded {
	seconds: number;
	n8n_cpu_ms: number;
	n8n_cpu_ms_per_s: number;
	n8n_cpu_ms_per_s_by_10s: number[];
	/** Of n8n_cpu_ms, its event loop's thread; the rest is lmdb's, the GC's and libuv's threads. */
	n8n_main_thread_cpu_ms: number;
	/** The load generator's CPU in the same window. */
	fleet_cpu_ms: number;
	n8n_rss_mb: { min: number; median: number; max: number };
	n8n_rss_anon_mb: { min: number; median: number; max: number };
}

/**
 * n8n's CPU time over `seconds` (and its rate per 10 s, whose spread shows the noise), with n8n's
 * memory read every second: RSS moves with every garbage collection, its minimum over a window is
 * what n8n keeps.
 */
async function cpuWindow(pid: number, fleet: Fleet, seconds: number) {
	const loadBefore = loadAverages();
	await fleet.request({ type: 'usage' });
	const fleetBefore = fleet.cpuMs;
	const before = cpuMs(pid);
	const mainBefore = mainThreadCpuMs(pid);
	const started = performance.now();
	const rates: number[] = [];
	const rss: Memory[] = [];
	for (let done = 0; done < seconds; done += 10) {
		const from = cpuMs(pid);
		const at = performance.now();
		for (let s = 0; s < Math.min(10, seconds - done); s++) {
			await sleep(1000);
			rss.push(memory(pid));
		}
		rates.push(round((cpuMs(pid) - from) / ((performance.now() - at) / 1000), 1));
	}
	const used = cpuMs(pid) - before;
	const mainUsed = mainThreadCpuMs(pid) - mainBefore;
	const elapsed = (performance.now() - started) / 1000;
	await fleet.request({ type: 'usage' });
	const pick = (key: keyof Memory) => rss.map((m) => m[key]);
	const window: CpuWindow = {
		seconds: round(elapsed, 2),
		n8n_cpu_ms: round(used),
		n8n_cpu_ms_per_s: round(used / elapsed, 2),
		n8n_cpu_ms_per_s_by_10s: rates,
		n8n_main_thread_cpu_ms: round(mainUsed),
		fleet_cpu_ms: fleet.cpuMs - fleetBefore,
		n8n_rss_mb: {
			min: Math.min(...pick('rss_mb')),
			median: median(pick('rss_mb')),
			max: Math.max(...pick('rss_mb')),
		},
		n8n_rss_anon_mb: {
			min: Math.min(...pick('rss_anon_mb')),
			median: median(pick('rss_anon_mb')),
			max: Math.max(...pick('rss_anon_mb')),
		},
		load_average_before: loadBefore,
		load_average_after: loadAverages(),
	};
	return window;
}

/** A CPU window over bots already connected or polling, with what they did meanwhile. */
async function fleetWindow(pid: number, fleet: Fleet, group: string, seconds: number) {
	const before = await fleet.status(group);
	const window = await cpuWindow(pid, fleet, seconds);
	const after = await fleet.status(group);
	const result = {
		...window,
		bots: after.bots,
		connected_at_end: after.connected,
		polls: after.polls - before.polls,
		heartbeats: after.heartbeats - before.heartbeats,
		reconnects: after.reconnects - before.reconnects,
		fallback_logins: after.fallback_logins - before.fallback_logins,
		violations: after.violations - before.violations,
		violation_samples: after.violation_samples,
	};
	console.log(`${group}: ${seconds} s`, result);
	return result;
}

/** Probes every target (one per PROBE_INTERVAL_MS), then waits for the last arrivals. */
async function probeRound(n8n: N8nInstance, targets: Array<{ side: string; wxid: string }>) {
	const loadBefore = loadAverages();
	const probes = await probeEvery(n8n, targets);
	await sleep(2500); // a polled task arrives within one poll interval
	return { probes, load_average_before: loadBefore, load_average_after: loadAverages() };
}

async function healthz(port: number): Promise<{ websocket_bots: number }> {
	const response = await fetch(`http://127.0.0.1:${port}/healthz`);
	return ((await response.json()) as { data: { websocket_bots: number } }).data;
}

const perBotPerMinute = (rate: number, idleRate: number, bots: number) =>
	round(((rate - idleRate) * 60) / bots, 4);

/* ------------------------------------------------------------------ main */

async function main(): Promise<void> {
	ensureBuilt();
	const fileLimit = raiseFileLimit();
	if (fileLimit.soft < CONNECTED_BOTS + 1000) {
		throw new Error(
			`${CONNECTED_BOTS} sockets need more than the open files limit ${fileLimit.soft}`,
		);
	}
	const startedAt = performance.now();
	const loadAtStart = loadAverages();
	const listenerPort = await freePort();
	const inspectorPort = await freePort();
	const n8n = await startN8n({
		credentials: [embeddedStoreCredential],
		workflows: [listenerWorkflow(listenerPort), enqueueWorkflow],
		// For n8n's heap after a forced collection (bench/inspector.ts); idle, it costs nothing.
		env: { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort}` },
	});
	const fleet = new Fleet(`http://127.0.0.1:${listenerPort}/${LISTENER_PATH}`);
	try {
		await waitForListener(listenerPort);
		const readyAt = performance.now();
		const pid = n8nPid(n8n.port);
		console.log(`n8n ${n8n.paths.version} pid ${pid}, load generator pid ${fleet.pid}`);
		console.log(`open files limit ${fileLimit.soft}, load average ${loadAtStart.join(' ')}`);
		const rssAtStart = memory(pid);
		const inspector = await N8nInspector.connect(inspectorPort);

		// 1. Delivery latency: socket bots and polling bots probed alternately, in the same minute.
		await fleet.login('lat-ws', 'ws', 'wxid_latws_1', LATENCY_BOTS);
		await fleet.login('lat-poll', 'poll', 'wxid_latpoll_1', LATENCY_BOTS);
		await fleet.request({ type: 'startPolling', group: 'lat-poll' });
		const wsBots = botWxids('wxid_latws_1', LATENCY_BOTS);
		const pollBots = botWxids('wxid_latpoll_1', LATENCY_BOTS);
		// Warm-up, not counted: the enqueue workflow's first executions load code.
		await probeEvery(n8n, [
			...wsBots.slice(-3).map((wxid) => ({ side: 'warm-up', wxid })),
			...pollBots.slice(-3).map((wxid) => ({ side: 'warm-up', wxid })),
		]);
		await sleep(2000);
		const latencyTargets = Array.from({ length: 2 * LATENCY_PROBES }, (_, i) =>
			i % 2 === 0
				? { side: 'ws', wxid: wsBots[(i / 2) % LATENCY_BOTS] }
				: { side: 'poll', wxid: pollBots[((i - 1) / 2) % LATENCY_BOTS] },
		);
		const latencyRounds = await quietest(
			'delivery latency',
			async () => await probeRound(n8n, latencyTargets),
		);
		const latencyArrivals = [
			...(await fleet.request<Arrival[]>({ type: 'arrivals', group: 'lat-ws' })),
			...(await fleet.request<Arrival[]>({ type: 'arrivals', group: 'lat-poll' })),
		];
		const latencyFleet = { ws: await fleet.close('lat-ws'), poll: await fleet.close('lat-poll') };

		// 2. n8n alone, past its start-up work (bursts of ~100 ms/s in its first ~30 s).
		await sleep(Math.max(0, SETTLE_AFTER_START_MS - (performance.now() - readyAt)));
		const idle = await quietest(
			'n8n idle',
			async () => await cpuWindow(pid, fleet, BASELINE_SECONDS),
		);
		console.log('n8n idle, no bots', idle.kept);
		const heapAlone = await inspector.collectedMemory();

		// 3. Socket bots: all connected, idle (heartbeats only), then tasks to random ones.
		const login = await fleet.login('connected', 'ws', 'wxid_conn_1', CONNECTED_BOTS);
		await sleep(5000);
		const wsIdle = await quietest(
			'idle socket bots',
			async () => await fleetWindow(pid, fleet, 'connected', IDLE_SECONDS),
		);
		const heapConnected = await inspector.collectedMemory();
		console.log('n8n memory after a full collection: alone', heapAlone, 'connected', heapConnected);
		const connectedWxids = botWxids('wxid_conn_1', CONNECTED_BOTS);
		const connectedRounds = await quietest('probes to connected bots', async () => {
			const targets = Array.from({ length: CONNECTED_PROBES }, () => ({
				side: 'connected',
				wxid: connectedWxids[Math.floor(Math.random() * CONNECTED_BOTS)],
			}));
			return await probeRound(n8n, targets);
		});
		const heldOnN8n = (await healthz(listenerPort)).websocket_bots;
		const heldStatus = await fleet.status('connected');
		const connectedArrivals = await fleet.request<Arrival[]>({
			type: 'arrivals',
			group: 'connected',
		});
		const fleetRss = fleet.rssMb;
		const connectedFleet = await fleet.close('connected');

		// 4. Bots polling every second over HTTP.
		const pollLogin = await fleet.login('idle-poll', 'poll', 'wxid_idlepoll_1', POLL_BOTS);
		await fleet.request({ type: 'startPolling', group: 'idle-poll' });
		await sleep(5000);
		const pollIdle = await quietest(
			'polling bots',
			async () => await fleetWindow(pid, fleet, 'idle-poll', IDLE_SECONDS),
		);
		const pollFleet = await fleet.close('idle-poll');

		// Figures.
		const ends = await nodeEnds(n8n);
		const latency = deliveries(latencyRounds.kept.probes, latencyArrivals);
		const ws = latencyFigures(
			latency.filter((d) => d.side === 'ws'),
			ends,
		);
		const poll = latencyFigures(
			latency.filter((d) => d.side === 'poll'),
			ends,
		);
		const connected = latencyFigures(
			deliveries(connectedRounds.kept.probes, connectedArrivals),
			ends,
		);
		const idleRate = median(idle.kept.n8n_cpu_ms_per_s_by_10s);
		const wsPerBot = perBotPerMinute(wsIdle.kept.n8n_cpu_ms_per_s, idleRate, CONNECTED_BOTS);
		const pollPerBot = perBotPerMinute(pollIdle.kept.n8n_cpu_ms_per_s, idleRate, POLL_BOTS);
		const heldAll = heldOnN8n === CONNECTED_BOTS && heldStatus.connected === CONNECTED_BOTS;
		const withinOneSecond =
			connected.delivered === connected.probes && connected.from_enqueue_start_ms.p99 <= 1000;
		// Memory: the least RSS n8n had in the minute all bots were connected, against the least it
		// had alone (the baseline window); the peak is the most it had in that minute.
		const perBotKb = (after: number, before: number) =>
			round(((after - before) * 1024) / CONNECTED_BOTS, 1);
		const alone = idle.kept;
		const held = wsIdle.kept;
		const summary = (rounds: { attempts: Loaded[] }) =>
			rounds.attempts.map((a) => ({
				load_average_before: a.load_average_before,
				load_average_after: a.load_average_after,
			}));

		const seconds = round((performance.now() - startedAt) / 1000, 0);
		const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
		results.ws_vs_poll_delivery_latency = round(
			ws.from_enqueue_resolved_ms.p50 / poll.from_enqueue_resolved_ms.p50,
			4,
		);
		results.ws_idle_cpu_vs_poll = round(wsPerBot / pollPerBot, 4);
		results.ws_connected_bots = heldAll && withinOneSecond ? CONNECTED_BOTS : null;
		results.websocket = {
			command: 'npm run bench:ws',
			measured_at: new Date().toISOString(),
			n8n: n8n.paths.version,
			store: 'embedded',
			heartbeat_seconds: HEARTBEAT_SECONDS,
			open_files_limit: fileLimit,
			seconds,
			load_average_at_start: loadAtStart,
			load_average_at_end: loadAverages(),
			n8n_rss_at_start: rssAtStart,
			delivery_latency: {
				bots_per_side: LATENCY_BOTS,
				probe_interval_ms: PROBE_INTERVAL_MS,
				poll_interval_ms: 1000,
				/** The same ratio from before the enqueue's commit (an upper bound). */
				ratio_from_enqueue_start: round(
					ws.from_enqueue_start_ms.p50 / poll.from_enqueue_start_ms.p50,
					4,
				),
				ws,
				poll,
				probe_errors: latencyRounds.kept.probes.filter((p) => p.error).map((p) => p.error),
				attempts: summary(latencyRounds),
				load_average_before: latencyRounds.kept.load_average_before,
				load_average_after: latencyRounds.kept.load_average_after,
				fleet: latencyFleet,
			},
			idle_cpu: {
				n8n_cpu_ms_per_bot_per_minute: { ws: wsPerBot, poll: pollPerBot },
				n8n_idle_cpu_ms_per_s: idleRate,
				n8n_idle: idle,
				poll: { bots: POLL_BOTS, login_seconds: pollLogin.seconds, ...pollIdle, fleet: pollFleet },
				ws: { bots: CONNECTED_BOTS, ...wsIdle },
			},
			connected: {
				bots: CONNECTED_BOTS,
				held_on_n8n: heldOnN8n,
				connected_in_load_generator: heldStatus.connected,
				login_seconds: login.seconds,
				login_concurrency: LOGIN_CONCURRENCY,
				probes: connected,
				probe_errors: connectedRounds.kept.probes.filter((p) => p.error).map((p) => p.error),
				attempts: summary(connectedRounds),
				load_average_before: connectedRounds.kept.load_average_before,
				load_average_after: connectedRounds.kept.load_average_after,
				n8n_rss_mb: { alone: alone.n8n_rss_mb, connected: held.n8n_rss_mb },
				n8n_rss_anon_mb: { alone: alone.n8n_rss_anon_mb, connected: held.n8n_rss_anon_mb },
				n8n_rss_kb_per_bot: perBotKb(held.n8n_rss_mb.min, alone.n8n_rss_mb.min),
				n8n_rss_anon_kb_per_bot: perBotKb(held.n8n_rss_anon_mb.min, alone.n8n_rss_anon_mb.min),
				n8n_peak_rss_kb_per_bot: perBotKb(held.n8n_rss_mb.max, alone.n8n_rss_mb.min),
				n8n_after_full_collection: { alone: heapAlone, connected: heapConnected },
				n8n_heap_kb_per_bot: perBotKb(heapConnected.heap_used_mb, heapAlone.heap_used_mb),
				n8n_rss_after_collection_kb_per_bot: perBotKb(heapConnected.rss_mb, heapAlone.rss_mb),
				load_generator_rss_mb: fleetRss,
				fleet: connectedFleet,
			},
		};
		writeFileSync(RESULTS, `${JSON.stringify(results, null, '\t')}\n`);
		for (const key of ['ws_vs_poll_delivery_latency', 'ws_idle_cpu_vs_poll', 'ws_connected_bots']) {
			console.log(`${key} = ${String(results[key])}`);
		}
		console.log(`bench:ws took ${seconds} s`);
		inspector.close();
	} finally {
		fleet.stop();
		await closeAllTaskStores();
		await n8n.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
