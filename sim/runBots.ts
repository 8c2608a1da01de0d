/**
 * Several logged-in accounts against one callback: one simulator per bot, wxids numbered from
 * the first (`wxid_bot1` -> `wxid_bot1`, `wxid_bot2`, ...; `alice` -> `alice_1`, `alice_2`, ...).
 *
 * Thousands of bots on WebSockets fit in one process: a bot on its socket holds the socket and
 * its heartbeat timer, nothing else (no HTTP agent, no poll timer, no timer per request), and
 * loginBots() logs a fleet in a bounded number at a time, so logins (HTTP) and socket upgrades
 * do not all hit the server at once and heartbeats come spread out.
 */
import { WeHubSimulator, type LoginResult, type SimulatorOptions } from './WeHubSimulator';

export function botWxids(first: string, count: number): string[] {
	if (count <= 1) return [first];
	const numbered = /^(.*?)(\d+)$/.exec(first);
	return Array.from({ length: count }, (_, i) =>
		numbered ? `${numbered[1]}${Number(numbered[2]) + i}` : `${first}_${i + 1}`,
	);
}

export function createBots(count: number, options: SimulatorOptions): WeHubSimulator[] {
	return botWxids(options.wxid, count).map(
		(wxid, i) =>
			new WeHubSimulator({
				...options,
				wxid,
				...(options.seed !== undefined ? { seed: options.seed + i } : {}),
			}),
	);
}

export interface LoginBotsResult {
	/** Bots whose login succeeded (on the WebSocket when the answer offered one). */
	loggedIn: WeHubSimulator[];
	/** wxid -> why its login failed. */
	failed: Map<string, string>;
}

/** Logs every bot in, at most `concurrency` (default 100) logins in flight at once. */
export async function loginBots(
	bots: WeHubSimulator[],
	options: { concurrency?: number } = {},
): Promise<LoginBotsResult> {
	const failed = new Map<string, string>();
	let next = 0;
	const worker = async () => {
		while (next < bots.length) {
			const bot = bots[next++];
			const login: LoginResult = await bot.login().catch((error: Error) => ({
				ok: false,
				problems: [error.message],
				replyTasks: [],
				reason: error.message,
			}));
			if (!login.ok) failed.set(bot.wxid, login.reason ?? login.problems.join('; '));
		}
	};
	const workers = Math.max(1, Math.min(options.concurrency ?? 100, bots.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return { loggedIn: bots.filter((bot) => bot.loggedIn), failed };
}

/** Runs `run` for every bot concurrently, closes them all, and returns them for inspection. */
export async function runBots(
	count: number,
	options: SimulatorOptions,
	run: (bot: WeHubSimulator, index: number) => Promise<void>,
): Promise<WeHubSimulator[]> {
	const bots = createBots(count, options);
	try {
		await Promise.all(bots.map(async (bot, i) => await run(bot, i)));
	} finally {
		await Promise.all(bots.map(async (bot) => await bot.close()));
	}
	return bots;
}
