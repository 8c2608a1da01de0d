/**
 * `npm run bench:n8n`: pull_task through a real n8n (2.x on Node 24, started by the e2e harness)
 * in both modes of the WeHub Trigger, against n8n's own references in the same n8n:
 *
 * - listener mode (the trigger's own port) vs n8n's `/healthz` (n8n's cheapest HTTP answer);
 * - webhook mode (`/webhook/<path>`) vs n8n's Webhook node answering at once (one execution per call);
 * - the same webhook pair again on an n8n started with `N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true`;
 * - n8n's CPU per 1,000 requests (utime + stime of the n8n process, from /proc/<pid>/stat);
 * - 200 simulated bots polling every second (the WeHub simulator): p50 / p99 latency.
 *
 * Fairness: every target gets the same autocannon settings (CONNECTIONS keep-alive connections,
 * the same pull_task bodies rotating over 200 wxids), targets run one after the other in
 * interleaved rounds (the order rotates each round), and each ratio is the median of the
 * per-round ratios. autocannon runs in this process, on the same 2 cores as n8n, for every target.
 */
import autocannon from 'autocannon';
import { readFileSync, writeFileSync } from 'fs';
import { loadavg } from 'os';
import { join } from 'path';

import { sendMessageTask, textUnit } from '../nodes/WeHub/protocol/tasks';
import { closeAllTaskStores, openTaskStore } from '../nodes/WeHub/store/openTaskStore';
import { ensureBuilt } from '../test/e2e/harness/ensureBuilt';
import { freePort } from '../test/e2e/harness/freePort';
import { startN8n, type N8nInstance } from '../test/e2e/harness/startN8n';
import {
	E2E_APPID,
	E2E_SECRET_KEY,
	embeddedStoreCredential,
	embeddedStorePath,
	listenerModeWorkflow,
	waitForListener,
	webhookModeWorkflow,
	webhookNodeWorkflow,
} from '../test/e2e/fixtures/weHubWorkflows';
import { runFleet, type FleetResult } from '../test/e2e/load/botFleet';
import { cpuMs, n8nPid } from './proc';
import { median2 } from './stats';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 200);
/**
 * The two webhook-path targets share a lower concurrency: at 200 connections n8n's webhook path
 * (~40 req/s) answers nothing within WeHub's 30 s, so both sides of that ratio would read 0.
 */
const WEBHOOK_CONNECTIONS = Number(process.env.BENCH_WEBHOOK_CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * Seconds per run for the fast targets (/healthz, listener) and the slow ones (webhooks): at 200
 * connections and ~40 req/s one webhook answer takes ~5 s, so a short run completes nothing.
 */
const FAST_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SLOW_SECONDS = Number(process.env.BENCH_SLOW_SECONDS ?? 30);
const FLEET_SECONDS = Number(process.env.BENCH_FLEET_SECONDS ?? 30);
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 3);
const WXIDS = 200;
const RESULTS = join(__dirname, 'results.json');

type TargetName = 'healthz' | 'listener' | 'webhook' | 'webhook_node';

interface Target {
	name: TargetName;
	url: string;
	seconds: number;
	connections: number;
	/** GET without a body (/healthz) or POST of pull_task bodies. */
	pullTask: boolean;
}

interface Run {
	requests_per_s: number;
	requests: number;
	p50_ms: number;
	p99_ms: number;
	non_2xx: number;
	errors: number;
	timeouts: number;
	/** CPU time of the n8n process per 1,000 answered requests. */
	n8n_cpu_ms_per_1000: number;
	load_average_1m: number;
}

const pullTaskRequests = Array.from({ length: WXIDS }, (_, bot) => ({
	method: 'POST',
	headers: { 'content-type': 'application/json' },
	body: JSON.stringify({
		action: 'pull_task',
		appid: E2E_APPID,
		wxid: `wxid_bench_${bot}`,
		data: {},
	}),
}));

/** The target's load (its connections and bodies) for `seconds`. */
async function drive(target: Target, seconds: number) {
	return await autocannon({
		url: target.url,
		connections: target.connections,
		duration: seconds,
		timeout: 30, // WeHub's answer timeout
		...(target.pullTask ? { requests: pullTaskRequests } : {}),
	});
}

async function measure(target: Target, pid: number): Promise<Run> {
	const load = loadavg()[0];
	const before = cpuMs(pid);
	const result = await drive(target, target.seconds);
	const cpu = cpuMs(pid) - before;
	const requests = result.requests.total ?? 0;
	const run: Run = {
		requests_per_s: Math.round(result.requests.average * 10) / 10,
		requests,
		p50_ms: result.latency.p50,
		p99_ms: result.latency.p99,
		non_2xx: result.non2xx,
		errors: result.errors,
		timeouts: result.timeouts ?? 0,
		n8n_cpu_ms_per_1000: requests > 0 ? Math.round((cpu / requests) * 1000) : 0,
		load_average_1m: Math.round(load * 100) / 100,
	};
	console.log(target.name, run);
	return run;
}

/**
 * Interleaved rounds: the order of the targets rotates, so none always runs first. Each target is
 * warmed up first (connections, JIT, first writes of the store), unmeasured: n8n's own routes are
 * already warm from its start-up, the listener's first run otherwise paid for its warm-up.
 */
async function rounds(targets: Target[], pid: number): Promise<Record<TargetName, Run[]>> {
	for (const target of targets) await drive(target, WARM_UP_SECONDS);
	const runs = {} as Record<TargetName, Run[]>;
	for (let round = 0; round < ROUNDS; round++) {
		console.log(`round ${round + 1}/${ROUNDS}`);
		for (let i = 0; i < targets.length; i++) {
			const target = targets[(i + round) % targets.length];
			(runs[target.name] ??= []).push(await measure(target, pid));
		}
	}
	return runs;
}

function medianRatio(runs: Record<TargetName, Run[]>, top: TargetName, bottom: TargetName) {
	return median2(
		runs[top].map((run, round) => run.requests_per_s / runs[bottom][round].requests_per_s),
	);
}

function summary(runs: Run[]) {
	return {
		median_requests_per_s: median2(runs.map((run) => run.requests_per_s)),
		median_p50_ms: median2(runs.map((run) => run.p50_ms)),
		median_p99_ms: median2(runs.map((run) => run.p99_ms)),
		median_n8n_cpu_ms_per_1000: median2(runs.map((run) => run.n8n_cpu_ms_per_1000)),
		runs,
	};
}

async function startBenchN8n(env: Record<string, string> = {}) {
	const listenerPort = await freePort();
	const n8n = await startN8n({
		credentials: [embeddedStoreCredential],
		workflows: [listenerModeWorkflow(listenerPort), webhookModeWorkflow(), webhookNodeWorkflow()],
		env,
	});
	await waitForListener(listenerPort);
	const targets: Record<TargetName, Target> = {
		healthz: {
			name: 'healthz',
			url: `${n8n.baseUrl}/healthz`,
			seconds: FAST_SECONDS,
			connections: CONNECTIONS,
			pullTask: false,
		},
		listener: {
			name: 'listener',
			url: `http://127.0.0.1:${listenerPort}/wehub-listener`,
			seconds: FAST_SECONDS,
			connections: CONNECTIONS,
			pullTask: true,
		},
		webhook: {
			name: 'webhook',
			url: n8n.webhookUrl('wehub-webhook'),
			seconds: SLOW_SECONDS,
			connections: WEBHOOK_CONNECTIONS,
			pullTask: true,
		},
		webhook_node: {
			name: 'webhook_node',
			url: n8n.webhookUrl('plain-webhook'),
			seconds: SLOW_SECONDS,
			connections: WEBHOOK_CONNECTIONS,
			pullTask: true,
		},
	};
	return { n8n, pid: n8nPid(n8n.port), targets, listenerPort };
}

/** Some bots have texts waiting, so polls hand tasks out as in real traffic. */
async function queueTasks(n8n: N8nInstance, firstWxid: string, bots: number, tasks: number) {
	const store = await openTaskStore({
		backend: 'embedded',
		path: embeddedStorePath(n8n.userFolder),
	});
	for (let i = 0; i < tasks; i++) {
		await store.enqueue(
			{ appid: E2E_APPID, wxid: `${firstWxid}${1 + ((i * 7) % bots)}` },
			sendMessageTask('wxid_customer8f3k2a', [textUnit(`订单 #${1000 + i} 已发货`)]),
		);
	}
}

function fleetFigures(fleet: FleetResult, seconds: number, cpuMsUsed: number) {
	return {
		bots: fleet.bots.length,
		poll_interval_ms: 1000,
		seconds,
		requests: fleet.requests,
		tasks_handed_out: fleet.receivers.size,
		violations: fleet.violations.length,
		duplicate_task_ids: fleet.duplicateTaskIds,
		latency_ms: fleet.latencyMs,
		n8n_cpu_ms_per_1000: fleet.requests ? Math.round((cpuMsUsed / fleet.requests) * 1000) : 0,
		load_average_1m: Math.round(loadavg()[0] * 100) / 100,
	};
}

async function paced(n8n: N8nInstance, pid: number, url: string, bots: number, first: string) {
	await queueTasks(n8n, first, bots, Math.max(10, bots / 2));
	const before = cpuMs(pid);
	const fleet = await runFleet({
		callbackUrl: url,
		appid: E2E_APPID,
		secretKey: E2E_SECRET_KEY,
		bots,
		firstWxid: `${first}1`,
		pollIntervalMs: 1000,
		durationMs: FLEET_SECONDS * 1000,
	});
	const figures = fleetFigures(fleet, FLEET_SECONDS, cpuMs(pid) - before);
	console.log(`${bots} bots every second on ${url}`, figures);
	return figures;
}

async function main(): Promise<void> {
	ensureBuilt();
	const loadAtStart = loadavg().map((value) => Math.round(value * 100) / 100);

	// 1. n8n with its default settings: all four targets, then the paced fleets.
	let bench = await startBenchN8n();
	let defaults: Record<TargetName, Run[]>;
	let fleetListener;
	let fleetWebhook;
	try {
		await queueTasks(bench.n8n, 'wxid_bench_', WXIDS, 20);
		defaults = await rounds(Object.values(bench.targets), bench.pid);
		fleetListener = await paced(
			bench.n8n,
			bench.pid,
			bench.targets.listener.url,
			200,
			'wxid_fleet_',
		);
		// n8n's webhook path sustains ~40 req/s: 20 bots polling every second (plus their results).
		fleetWebhook = await paced(
			bench.n8n,
			bench.pid,
			bench.targets.webhook.url,
			20,
			'wxid_hookfleet_',
		);
	} finally {
		await closeAllTaskStores();
		await bench.n8n.stop();
	}

	// 2. n8n with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true: the webhook pair only.
	bench = await startBenchN8n({ N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' });
	let lazy: Record<TargetName, Run[]>;
	try {
		lazy = await rounds([bench.targets.webhook, bench.targets.webhook_node], bench.pid);
	} finally {
		await bench.n8n.stop();
	}

	const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
	results.pull_task_listener_vs_healthz = medianRatio(defaults, 'listener', 'healthz');
	results.pull_task_webhook_vs_webhook_node = medianRatio(defaults, 'webhook', 'webhook_node');
	results.pull_task_webhook_vs_webhook_node_lazy_acquire = medianRatio(
		lazy,
		'webhook',
		'webhook_node',
	);
	results.n8n_pull_task = {
		n8n: bench.n8n.paths.version,
		connections: { healthz: CONNECTIONS, listener: CONNECTIONS, webhooks: WEBHOOK_CONNECTIONS },
		rounds: ROUNDS,
		seconds_per_run: { healthz: FAST_SECONDS, listener: FAST_SECONDS, webhooks: SLOW_SECONDS },
		store: 'embedded',
		load_average_at_start: loadAtStart,
		load_average_at_end: loadavg().map((value) => Math.round(value * 100) / 100),
		default_settings: {
			healthz: summary(defaults.healthz),
			listener: summary(defaults.listener),
			webhook: summary(defaults.webhook),
			webhook_node: summary(defaults.webhook_node),
		},
		lazy_acquire: { webhook: summary(lazy.webhook), webhook_node: summary(lazy.webhook_node) },
		fleet_listener: fleetListener,
		fleet_webhook: fleetWebhook,
	};
	writeFileSync(RESULTS, `${JSON.stringify(results, null, '\t')}\n`);
	for (const key of [
		'pull_task_listener_vs_healthz',
		'pull_task_webhook_vs_webhook_node',
		'pull_task_webhook_vs_webhook_node_lazy_acquire',
	]) {
		console.log(`${key} = ${String(results[key])}`);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
