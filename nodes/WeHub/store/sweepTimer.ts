/** How often a store sweeps by default: lost, expired and retained records change by the minute. */
export const SWEEP_EVERY_MS = 60_000;

/**
 * Runs a store's `sweep` in the background every `everyMs` (0 = never: tests drive a fake clock).
 * The timer is unref'd so it never keeps n8n alive, and a failed sweep waits for the next turn.
 * Returns the function that stops it.
 */
export function startSweeping(sweep: () => Promise<unknown>, everyMs = SWEEP_EVERY_MS): () => void {
	if (everyMs <= 0) return () => undefined;
	const timer = setInterval(() => void sweep().catch(() => undefined), everyMs);
	timer.unref();
	return () => clearInterval(timer);
}
