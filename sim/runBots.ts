/**
 * Several logged-in accounts against one callback: one simulator per bot, wxids numbered from
 * the first (`wxid_bot1` -> `wxid_bot1`, `wxid_bot2`, ...; `alice` -> `alice_1`, `alice_2`, ...).
 */
import { WeHubSimulator, type SimulatorOptions } from './WeHubSimulator';

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
