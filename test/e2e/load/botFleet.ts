/**
 * Many simulated WeHub clients polling one callback URL, as a fleet of logged-in accounts does:
 * each bot logs in, then polls `pull_task` every `pollIntervalMs`, executes what it gets and reports the result.
 * Used by the load test (correctness) and by `npm run bench:n8n` (latency figures).
 */
import { createBots } from '../../../sim/runBots';
import type { WeHubSimulator } from '../../../sim/WeHubSimulator';
import { sleep } from '../../helpers/sleep';

export interface FleetOptions {
	callbackUrl: string;
	appid: string;
	secretKey: string;
	bots: number;
	/** The first bot's wxid; the others are numbered from it (`wxid_load_1`, `wxid_load_2`, ...). */
	firstWxid: string;
	pollIntervalMs: number;
	durationMs: number;
	/** Keep polling after `durationMs` until the bots received this many tasks... */
	expectTasks?: number;
	/** ...or this much longer (a loaded machine slows n8n's webhook path down). */
	drainTimeoutMs?: number;
}

export interface FleetResult {
	bots: WeHubSimulator[];
	requests: number;
	polls: number;
	/** Every protocol problem the bots saw (no answer, a malformed ack, ...). */
	violations: string[];
	duplicateTaskIds: number;
	/** task_id -> wxids of the bots that received it (more than one would be a double hand-out). */
	receivers: Map<string, string[]>;
	/** Every request of every bot (pull_task and report_task_result), in milliseconds. */
	latencyMs: { p50: number; p99: number; max: number; samples: number };
}

/** Starts the bots spread over one poll interval (not all at once) and polls for `durationMs`. */
export async function runFleet(options: FleetOptions): Promise<FleetResult> {
	const bots = createBots(options.bots, {
		callbackUrl: options.callbackUrl,
		appid: options.appid,
		secretKey: options.secretKey,
		wxid: options.firstWxid,
		pollIntervalMs: options.pollIntervalMs,
		seed: 7,
	});
	const received = () => bots.reduce((total, bot) => total + bot.tasks.length, 0);
	try {
		await Promise.all(
			bots.map(async (bot, index) => {
				await sleep(Math.floor((index * options.pollIntervalMs) / bots.length));
				// WeHub logs in first: the login's client_version decides how later acks look.
				const login = await bot.login();
				if (!login.ok) throw new Error(`${bot.wxid} could not log in: ${login.reason}`);
				bot.startPolling();
			}),
		);
		await sleep(options.durationMs);
		const deadline = Date.now() + (options.drainTimeoutMs ?? 0);
		while (received() < (options.expectTasks ?? 0) && Date.now() < deadline) await sleep(100);
		await Promise.all(bots.map(async (bot) => await bot.stopPolling()));
	} finally {
		await Promise.all(bots.map(async (bot) => await bot.close()));
	}
	return summarise(bots);
}

export function summarise(bots: WeHubSimulator[]): FleetResult {
	const receivers = new Map<string, string[]>();
	for (const bot of bots) {
		for (const task of bot.tasks) {
			if (task.task_id === undefined) continue;
			receivers.set(task.task_id, [...(receivers.get(task.task_id) ?? []), bot.wxid]);
		}
	}
	const latencies = bots.flatMap((bot) => bot.stats.latenciesMs).sort((a, b) => a - b);
	return {
		bots,
		requests: sum(bots.map((bot) => bot.stats.requests)),
		polls: sum(bots.map((bot) => bot.stats.requestsByAction.pull_task ?? 0)),
		violations: bots.flatMap((bot) =>
			bot.violations.map((v) => `${bot.wxid} ${v.action}: ${v.problem}`),
		),
		duplicateTaskIds: sum(bots.map((bot) => bot.stats.duplicateTaskIds)),
		receivers,
		latencyMs: {
			p50: percentile(latencies, 0.5),
			p99: percentile(latencies, 0.99),
			max: latencies.length ? round(latencies[latencies.length - 1]) : 0,
			samples: latencies.length,
		},
	};
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], q: number): number {
	if (sorted.length === 0) return 0;
	return round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
}

function round(ms: number): number {
	return Math.round(ms * 10) / 10;
}

function sum(values: number[]): number {
	return values.reduce((total, value) => total + value, 0);
}
