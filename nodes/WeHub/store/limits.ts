import { DEFAULT_LIMITS, type StoreLimits } from './TaskStore';

const DAY_MS = 86_400_000;

/** The UTC calendar day a time falls on, as a day number (daily caps reset at 00:00 UTC). */
export function utcDay(now: number): number {
	return Math.floor(now / DAY_MS);
}

export function resolveLimits(limits: Partial<StoreLimits> | undefined): StoreLimits {
	return {
		...DEFAULT_LIMITS,
		...limits,
		dailyCaps: { ...DEFAULT_LIMITS.dailyCaps, ...limits?.dailyCaps },
	};
}

/** The cap for a task type, or undefined when it has none. */
export function dailyCapFor(limits: StoreLimits, taskType: number): number | undefined {
	const cap = limits.dailyCaps[taskType];
	return cap === undefined || cap === null || cap < 0 ? undefined : cap;
}
