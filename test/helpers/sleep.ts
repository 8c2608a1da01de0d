/** Resolves after `ms` milliseconds (on the real clock unless a test installed fake timers). */
export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
