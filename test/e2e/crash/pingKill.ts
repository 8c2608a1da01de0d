/**
 * The kill run of issue 17 ("An acknowledged event is never lost"), shared by the e2e tests
 * (listener mode over HTTP and over the WebSocket: assertions) and `npm run bench:webhook-kill`
 * (webhook mode: a figure). A fleet of WeHub bots sends pings with unique texts (`ping <wxid>#<n>`)
 * to the ping-pong workflow (test/e2e/fixtures/pingPongWorkflow.ts) while it polls (HTTP) or waits
 * for pushes (WebSocket); n8n's whole process group is SIGKILLed while pings, executions and polls
 * are in flight, started again on the same user folder, and the bots carry on. Then every pong a
 * bot was handed is matched to its ping by its text, and every pong task of the store too.
 */
import { loadavg } from 'os';

import type { TaskStore, TaskRecord, TaskState } from '../../../nodes/WeHub/store/TaskStore';
import { createBots, loginBots } from '../../../sim/runBots';
import type { WeHubSimulator } from '../../../sim/WeHubSimulator';
import { sleep } from '../../helpers/sleep';
import { until } from '../../helpers/until';
import type { N8nInstance } from '../harness';
import { pingText, pongText } from '../fixtures/pingPongWorkflow';
import { E2E_APPID, E2E_SECRET_KEY } from '../fixtures/weHubWorkflows';

export interface PingKillOptions {
	n8n: N8nInstance;
	/** The store n8n uses, opened by this process too (lmdb is safe across processes). */
	store: TaskStore;
	/** WeHub's callback URL (the listener's, or n8n's webhook URL). */
	callbackUrl: string;
	/** Whether the callback URL offers the WebSocket (its bots then wait for pushes). */
	webSocket: boolean;
	/** Whether the trigger keeps its events in the inbox (the run then waits until it is empty). */
	durable: boolean;
	/** Resolves once WeHub's URL answers again after the restart. */
	waitUntilBack: () => Promise<void>;
	/** The first bot's wxid (`wxid_kill_1`); the others are numbered from it. */
	firstWxid: string;
	bots?: number;
	/** Each bot's pause between two pings (jittered ±50 %). */
	pingIntervalMs?: number;
	pollIntervalMs?: number;
	/** The kill comes once this many pings were acknowledged and this many pongs handed out. */
	killAfterAcked?: number;
	killAfterPongs?: number;
	/**
	 * ...and once the inbox holds at least this many events (acknowledged, execution not ended):
	 * the kill then surely hits work in flight. Default 5 with Durable Delivery, else 0.
	 */
	killWhenInboxHolds?: number;
	/** How long the run may take to reach the kill's counts (webhook mode is slow). */
	killWaitTimeoutMs?: number;
	/** Pinging goes on this long once n8n is back, then stops. */
	pingAfterBackMs?: number;
	/** From the restart: how long pongs may take to arrive (replays wait out a 30 s lease). */
	settleTimeoutMs?: number;
	log?: (line: string) => void;
}

export interface PingRecord {
	text: string;
	wxid: string;
	sentAt: number;
	answeredAt?: number;
	/** The ack came back with error_code 0 (and nothing wrong with it). */
	acked: boolean;
	/** Sent before the kill, while n8n was down, or after it was back. */
	phase: 'before' | 'down' | 'after';
	problem?: string;
}

/** One acknowledged ping, with what became of its pong. */
export interface PingOutcome {
	ping: PingRecord;
	/** Times a bot was handed a task 1 with the pong's text (polled or pushed). */
	received: number;
	/** Pong tasks with its text in the store (the idempotency key keeps it at one). */
	queued: number;
	states: TaskState[];
}

export interface PingKillReport {
	bots: number;
	transport: 'http' | 'websocket';
	durable: boolean;
	pings: {
		sent: number;
		acked: number;
		ackedBeforeKill: number;
		ackedAfterBack: number;
		/** No answer, or an error ack: they do not count (WeHub knows they were not taken). */
		notAcked: number;
	};
	/** Acknowledged pings without any pong handed to a bot, and no pong task left to explain it. */
	lost: PingOutcome[];
	/**
	 * Acknowledged pings whose one pong task the store handed out (`handed_out`) but no bot ever
	 * got: its answer (pull_task ack or pushed frame) died with the killed process. The store hands
	 * a task out at most once (WeHub may have executed it), so such a task becomes `lost` after the
	 * credential's "lost after" time, where a workflow sees it; at most one per bot.
	 */
	answerDiedWithN8n: PingOutcome[];
	/** Acknowledged pings whose pong reached a bot more than once, or was queued more than once. */
	twice: PingOutcome[];
	/** Acknowledged pings with exactly one pong, handed to a bot once. */
	exactlyOnce: number;
	/** Pongs for pings that were not acknowledged (the process died after keeping, before acking). */
	pongsForNotAcked: number;
	/** Events the restarted listener took over from the inbox (its log: "replaying N event(s)"). */
	replayed: number;
	/**
	 * Executions n8n stored whose trigger items say `replayed: true`, and of those, how many found
	 * their pong queued already by the execution the kill cut short (the Send node's `existing`).
	 */
	replayedExecutions: number;
	replaysFindingTheirPong: number;
	/** Replayed executions that queued their pong (the kill came before their Send node). */
	replaysQueuingTheirPong: number;
	/** Inbox entries the test saw right before the kill. */
	inboxAtKill: number;
	/** Pong receipts by how they reached the bot. */
	pongsPolled: number;
	pongsPushed: number;
	/** WebSocket bots: reconnections with their token, and logins again over HTTP. */
	reconnects: number;
	fallbackLogins: number;
	/** Bots whose requests got no answer at some point (the kill); only these problems are expected. */
	unexpectedViolations: string[];
	timing: {
		killAfterMs: number;
		downMs: number;
		lastPongAfterBackMs: number;
		settledAfterBackMs: number;
		settled: boolean;
	};
	load_average_1m: { at_start: number; at_kill: number; at_end: number };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function textOf(task: { task_dict: object }): string | undefined {
	const units = (task.task_dict as { msg_list?: unknown }).msg_list;
	if (!Array.isArray(units)) return undefined;
	const unit = (units as Array<Record<string, unknown>>).find((u) => u.msg_type === 1);
	return unit ? String(unit.msg) : undefined;
}

export async function runPingKill(options: PingKillOptions): Promise<PingKillReport> {
	const botCount = options.bots ?? 30;
	const pingIntervalMs = options.pingIntervalMs ?? 1_500;
	const killAfterAcked = options.killAfterAcked ?? 150;
	const killAfterPongs = options.killAfterPongs ?? 20;
	const killWhenInboxHolds = options.killWhenInboxHolds ?? (options.durable ? 5 : 0);
	const inboxSize = async (limit: number) =>
		limit > 0 ? (await options.store.inboxList(E2E_APPID, limit)).length : 0;
	const log = options.log ?? (() => undefined);
	const loadAtStart = loadavg()[0];

	const bots = createBots(botCount, {
		callbackUrl: options.callbackUrl,
		appid: E2E_APPID,
		secretKey: E2E_SECRET_KEY,
		wxid: options.firstWxid,
		clientVersion: '0.4.26',
		pollIntervalMs: options.pollIntervalMs ?? 500,
		timeoutMs: 30_000,
		webSocket: options.webSocket,
		// Back on the same socket once n8n is: retries spread over 40-80 s, n8n restarts in 10-30 s.
		reconnectDelaysMs: Array.from({ length: 40 }, () => 2_000),
	});
	const pings: PingRecord[] = [];
	let phase: PingRecord['phase'] = 'before';
	let pinging = true;

	const pingLoop = async (bot: WeHubSimulator, index: number) => {
		await sleep((index * pingIntervalMs) / botCount);
		for (let n = 1; pinging; n++) {
			const record: PingRecord = {
				text: pingText(bot.wxid, n),
				wxid: bot.wxid,
				sentAt: Date.now(),
				acked: false,
				phase,
			};
			pings.push(record);
			// A private chat from one customer per bot: the pong goes back to that customer.
			const result = await bot
				.sendMessage('text', { text: record.text, from: `wxid_customer_of_${bot.wxid}` })
				.catch((error: Error) => ({ ok: false, ack: undefined, problems: [error.message] }));
			record.answeredAt = Date.now();
			record.acked = result.ok && result.ack?.error_code === 0;
			if (!record.acked) {
				record.problem =
					result.problems.join('; ') ||
					`error_code ${String(result.ack?.error_code)}: ${String(result.ack?.error_reason)}`;
			}
			await sleep(pingIntervalMs * (0.5 + Math.random()));
		}
	};

	const pongReceipts = () => {
		const receipts = new Map<string, number>();
		for (const bot of bots) {
			for (const sent of bot.sentTexts()) {
				if (sent.text.startsWith('pong '))
					receipts.set(sent.text, (receipts.get(sent.text) ?? 0) + 1);
			}
		}
		return receipts;
	};
	const pongsReceived = () =>
		bots.reduce(
			(total, bot) =>
				total + bot.sentTexts().filter((sent) => sent.text.startsWith('pong ')).length,
			0,
		);
	const ackedCount = () => pings.filter((ping) => ping.acked).length;
	const pongTasks = async (): Promise<TaskRecord[]> =>
		(
			await Promise.all(
				bots.map(async (bot) => await options.store.list({ appid: E2E_APPID, wxid: bot.wxid })),
			)
		)
			.flat()
			.filter((record) => record.task.task_type === 1 && textOf(record.task)?.startsWith('pong '));

	let loops: Promise<void>[] = [];
	let killAt = 0;
	let backAt = 0;
	let loadAtKill = 0;
	let inboxAtKill = 0;
	try {
		const login = await loginBots(bots, { concurrency: 10 });
		if (login.failed.size > 0) {
			throw new Error(`bots could not log in: ${JSON.stringify([...login.failed].slice(0, 3))}`);
		}
		if (options.webSocket && bots.some((bot) => !bot.webSocket?.connected)) {
			throw new Error('a bot did not move to the WebSocket its login offered');
		}
		for (const bot of bots) bot.startPolling(); // on the socket this only waits for pushes
		const started = Date.now();
		loops = bots.map(async (bot, index) => await pingLoop(bot, index));

		let progressAt = Date.now();
		await until(
			async () => {
				if (Date.now() - progressAt >= 10_000) {
					progressAt = Date.now();
					log(`${ackedCount()} of ${pings.length} pings acknowledged, ${pongsReceived()} pongs`);
				}
				if (ackedCount() < killAfterAcked || pongsReceived() < killAfterPongs) return false;
				inboxAtKill = await inboxSize(killWhenInboxHolds);
				return inboxAtKill >= killWhenInboxHolds;
			},
			options.killWaitTimeoutMs ?? 90_000,
			`${killAfterAcked} acknowledged pings, ${killAfterPongs} pongs and ${killWhenInboxHolds} events in the inbox`,
			100,
		);
		loadAtKill = loadavg()[0];
		phase = 'down';
		killAt = Date.now();
		await options.n8n.kill('SIGKILL');
		log(
			`killed n8n after ${killAt - started} ms: ${ackedCount()} pings acknowledged, ` +
				`${pongsReceived()} pongs handed out, ${inboxAtKill}+ events in the inbox`,
		);
		await options.n8n.restart();
		await options.waitUntilBack();
		backAt = Date.now();
		phase = 'after';
		log(`n8n back after ${backAt - killAt} ms`);
		await sleep(options.pingAfterBackMs ?? 5_000);
		pinging = false;
		await Promise.all(loops);

		// Settled: nothing left in the inbox (replays included), no pong waiting in a queue, and
		// nothing handed to a bot for 3 s.
		const settleDeadline = backAt + (options.settleTimeoutMs ?? 100_000);
		let settled = false;
		let lastPongAt = Date.now();
		let lastReceived = pongsReceived();
		while (Date.now() < settleDeadline) {
			await sleep(500);
			const received = pongsReceived();
			if (received !== lastReceived) {
				lastReceived = received;
				lastPongAt = Date.now();
			}
			const inboxEmpty =
				!options.durable || (await options.store.inboxList(E2E_APPID, 1)).length === 0;
			const queued = (await pongTasks()).some((task) => task.state === 'queued');
			if (inboxEmpty && !queued && Date.now() - lastPongAt >= 3_000) {
				settled = true;
				break;
			}
		}
		const settledAt = Date.now();
		await Promise.all(bots.map(async (bot) => await bot.stopPolling()));

		// ---- what became of every acknowledged ping -------------------------------------------
		const receipts = pongReceipts();
		const tasksByText = new Map<string, TaskRecord[]>();
		for (const task of await pongTasks()) {
			const text = textOf(task.task) as string;
			tasksByText.set(text, [...(tasksByText.get(text) ?? []), task]);
		}
		const outcomes: PingOutcome[] = pings
			.filter((ping) => ping.acked)
			.map((ping) => {
				const pong = pongText(ping.text);
				const tasks = tasksByText.get(pong) ?? [];
				return {
					ping,
					received: receipts.get(pong) ?? 0,
					queued: tasks.length,
					states: tasks.map((task) => task.state),
				};
			});
		const notAckedPongs = new Set(pings.filter((ping) => !ping.acked).map((p) => pongText(p.text)));
		const answerDied = (o: PingOutcome) =>
			o.received === 0 && o.queued === 1 && o.states[0] === 'handed_out';
		const replayed = [...options.n8n.logs().matchAll(/WeHub inbox: replaying (\d+) event/g)].reduce(
			(total, match) => total + Number(match[1]),
			0,
		);
		const executions = await options.n8n.listExecutions(undefined, { withData: true });
		const replays = executions.filter((execution) =>
			(execution.nodes?.['WeHub Trigger']?.[0]?.[0] ?? []).some((item) => item.replayed === true),
		);
		const pongReceiptsBy = (source: string) =>
			bots
				.flatMap((bot) => bot.sentTexts())
				.filter((sent) => sent.text.startsWith('pong ') && sent.task.source === source).length;
		const violations = bots.flatMap((bot) =>
			bot.violations
				.filter((v) => !v.problem.startsWith('no answer'))
				.map((v) => `${bot.wxid} ${v.action}: ${v.problem}`),
		);
		return {
			bots: botCount,
			transport: options.webSocket ? 'websocket' : 'http',
			durable: options.durable,
			pings: {
				sent: pings.length,
				acked: outcomes.length,
				ackedBeforeKill: outcomes.filter((o) => o.ping.phase === 'before').length,
				ackedAfterBack: outcomes.filter((o) => o.ping.phase === 'after').length,
				notAcked: pings.length - outcomes.length,
			},
			lost: outcomes.filter((o) => o.received === 0 && !answerDied(o)),
			answerDiedWithN8n: outcomes.filter(answerDied),
			twice: outcomes.filter((o) => o.received > 1 || o.queued > 1),
			exactlyOnce: outcomes.filter((o) => o.received === 1 && o.queued === 1).length,
			pongsForNotAcked: [...receipts.keys()].filter((text) => notAckedPongs.has(text)).length,
			replayed,
			replayedExecutions: replays.length,
			replaysFindingTheirPong: replays.filter((execution) =>
				(execution.nodes?.['Reply Pong']?.[0]?.[0] ?? []).some((item) => item.existing === true),
			).length,
			replaysQueuingTheirPong: replays.filter((execution) =>
				(execution.nodes?.['Reply Pong']?.[0]?.[0] ?? []).some((item) => item.existing !== true),
			).length,
			inboxAtKill,
			pongsPolled: pongReceiptsBy('pull_task'),
			pongsPushed: pongReceiptsBy('push'),
			reconnects: bots.reduce((total, bot) => total + bot.stats.reconnects, 0),
			fallbackLogins: bots.reduce((total, bot) => total + bot.stats.fallbackLogins, 0),
			unexpectedViolations: violations,
			timing: {
				killAfterMs: killAt - started,
				downMs: backAt - killAt,
				lastPongAfterBackMs: lastPongAt - backAt,
				settledAfterBackMs: settledAt - backAt,
				settled,
			},
			load_average_1m: {
				at_start: round2(loadAtStart),
				at_kill: round2(loadAtKill),
				at_end: round2(loadavg()[0]),
			},
		};
	} finally {
		pinging = false;
		await Promise.all(loops);
		await Promise.all(bots.map(async (bot) => await bot.close().catch(() => undefined)));
	}
}

/** One line per figure, for the test log and the benchmark's console. */
export function describeReport(report: PingKillReport): string {
	const sample = (outcomes: PingOutcome[]) =>
		outcomes
			.slice(0, 5)
			.map(
				(o) =>
					`${o.ping.text} (${o.ping.phase}; received ${o.received}, queued ${o.queued} ${o.states.join('/')})`,
			)
			.join(', ');
	return [
		`${report.bots} bots over ${report.transport}, durable delivery ${report.durable ? 'on' : 'off'}`,
		`pings sent ${report.pings.sent}, acknowledged ${report.pings.acked} (before the kill ${report.pings.ackedBeforeKill}, after the restart ${report.pings.ackedAfterBack}), not acknowledged ${report.pings.notAcked}`,
		`acknowledged pings with exactly one pong: ${report.exactlyOnce}; lost ${report.lost.length}${report.lost.length ? ` [${sample(report.lost)}]` : ''}; twice ${report.twice.length}${report.twice.length ? ` [${sample(report.twice)}]` : ''}; pong handed out but its answer died with n8n ${report.answerDiedWithN8n.length}`,
		`events replayed from the inbox ${report.replayed} (executions ${report.replayedExecutions}: queued their pong ${report.replaysQueuingTheirPong}, found it queued before the kill ${report.replaysFindingTheirPong}); inbox at the kill ${report.inboxAtKill}+; pongs for pings that were not acknowledged ${report.pongsForNotAcked}`,
		`pongs polled ${report.pongsPolled}, pushed ${report.pongsPushed}; socket reconnections ${report.reconnects}, fallback logins ${report.fallbackLogins}`,
		`killed ${report.timing.killAfterMs} ms into the run, down ${report.timing.downMs} ms, last pong ${report.timing.lastPongAfterBackMs} ms after n8n was back, settled: ${report.timing.settled}`,
		`load average (1 min) at start ${report.load_average_1m.at_start}, at the kill ${report.load_average_1m.at_kill}, at the end ${report.load_average_1m.at_end}`,
	].join('\n');
}
