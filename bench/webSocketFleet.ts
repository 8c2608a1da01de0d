/**
 * The load generator of `npm run bench:ws`: simulated WeHub bots (sim/) in a process of their own,
 * so n8n's CPU and memory are read apart from theirs. Driven over IPC by bench/webSocket.ts, one
 * request at a time per group; every answer carries this process's own CPU time.
 *
 * A group is a fleet of bots of one kind: `ws` bots follow the login_ack's WebSocket offer (0.4.26,
 * heartbeat as the login_ack says), `poll` bots are the same client refusing it and polling
 * pull_task every second over HTTP.
 */
import { createBots, loginBots } from '../sim/runBots';
import type { WeHubSimulator } from '../sim/WeHubSimulator';

export type FleetKind = 'ws' | 'poll';

export type FleetRequest =
	| {
			type: 'login';
			group: string;
			kind: FleetKind;
			firstWxid: string;
			count: number;
			concurrency: number;
	  }
	| { type: 'startPolling'; group: string }
	| { type: 'status'; group: string }
	| { type: 'arrivals'; group: string }
	| { type: 'close'; group: string }
	/** Nothing but the answer's CPU time and memory. */
	| { type: 'usage' };

export interface FleetStatus {
	bots: number;
	/** ws bots whose socket is open now. */
	connected: number;
	polls: number;
	heartbeats: number;
	reconnects: number;
	fallback_logins: number;
	violations: number;
	/** The first few violations, for the log. */
	violation_samples: string[];
	duplicate_task_ids: number;
	tasks_received: number;
}

export interface Arrival {
	task_id: string;
	wxid: string;
	/** Epoch ms when the answer or the pushed frame carrying the task was read. */
	received_at: number;
	source: string;
}

export interface FleetEnvelope {
	id: number;
	request: FleetRequest;
}

export interface FleetAnswer {
	id: number;
	ok: boolean;
	error?: string;
	result?: unknown;
	/** This process's utime + stime so far, ms. */
	cpu_ms: number;
	rss_mb: number;
}

export interface FleetOptions {
	callbackUrl: string;
	appid: string;
	secretKey: string;
}

const options = JSON.parse(process.env.WEHUB_BENCH_FLEET ?? '{}') as FleetOptions;
const groups = new Map<string, WeHubSimulator[]>();

function group(name: string): WeHubSimulator[] {
	const bots = groups.get(name);
	if (!bots) throw new Error(`no group ${name}`);
	return bots;
}

function status(bots: WeHubSimulator[]): FleetStatus {
	const violations = bots.flatMap((bot) => bot.violations);
	return {
		bots: bots.length,
		connected: bots.filter((bot) => bot.webSocket?.connected).length,
		polls: sum(bots, (bot) => bot.stats.polls),
		heartbeats: sum(bots, (bot) => bot.stats.heartbeatsSent),
		reconnects: sum(bots, (bot) => bot.stats.reconnects),
		fallback_logins: sum(bots, (bot) => bot.stats.fallbackLogins),
		violations: violations.length,
		violation_samples: violations.slice(0, 5).map((v) => `${v.action}: ${v.problem}`),
		duplicate_task_ids: sum(bots, (bot) => bot.stats.duplicateTaskIds),
		tasks_received: sum(bots, (bot) => bot.stats.tasksReceived),
	};
}

function sum(bots: WeHubSimulator[], pick: (bot: WeHubSimulator) => number): number {
	return bots.reduce((total, bot) => total + pick(bot), 0);
}

async function handle(request: FleetRequest): Promise<unknown> {
	switch (request.type) {
		case 'login': {
			const bots = createBots(request.count, {
				callbackUrl: options.callbackUrl,
				appid: options.appid,
				secretKey: options.secretKey,
				wxid: request.firstWxid,
				clientVersion: '0.4.26',
				webSocket: request.kind === 'ws',
				pollIntervalMs: 1000,
			});
			groups.set(request.group, bots);
			const started = performance.now();
			const { loggedIn, failed } = await loginBots(bots, { concurrency: request.concurrency });
			return {
				logged_in: loggedIn.length,
				on_websocket: bots.filter((bot) => bot.webSocket?.connected).length,
				failed: failed.size,
				failures: [...failed.entries()].slice(0, 5),
				seconds: Math.round((performance.now() - started) / 100) / 10,
			};
		}
		case 'startPolling': {
			// Spread over one interval, as independent clients are: no thundering herd each second.
			for (const bot of group(request.group)) {
				setTimeout(() => bot.startPolling(), Math.random() * 1000);
			}
			return null;
		}
		case 'status':
			return status(group(request.group));
		case 'arrivals':
			return group(request.group).flatMap((bot) =>
				bot.tasks
					.filter((task) => task.task_id !== undefined)
					.map((task): Arrival => ({
						task_id: task.task_id as string,
						wxid: bot.wxid,
						received_at: task.receivedAt,
						source: task.source,
					})),
			);
		case 'usage':
			return null;
		case 'close': {
			const bots = group(request.group);
			const final = status(bots);
			// A bounded number at a time: 10,000 close handshakes at once would be a burst of its own.
			for (let i = 0; i < bots.length; i += 500) {
				await Promise.all(bots.slice(i, i + 500).map(async (bot) => await bot.close()));
			}
			groups.delete(request.group);
			return final;
		}
	}
}

process.on('message', (message: FleetEnvelope) => {
	void handle(message.request).then(
		(result) => reply({ id: message.id, ok: true, result }),
		(error: unknown) =>
			reply({ id: message.id, ok: false, error: (error as Error)?.stack ?? String(error) }),
	);
});

function reply(answer: Omit<FleetAnswer, 'cpu_ms' | 'rss_mb'>): void {
	const usage = process.cpuUsage();
	process.send?.({
		...answer,
		cpu_ms: Math.round((usage.user + usage.system) / 1000),
		rss_mb: Math.round(process.memoryUsage.rss() / 1024 / 1024),
	});
}

process.send?.({ id: 0, ok: true, cpu_ms: 0, rss_mb: 0 });
