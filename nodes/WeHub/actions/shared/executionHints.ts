import type { IExecuteFunctions, NodeExecutionHint } from 'n8n-workflow';

/** A run over many items repeats the same hint; n8n shows each distinct one once, up to this many. */
const MAX_HINTS = 10;

/**
 * Guidance for the person looking at a run (a task that may reach nobody, a guessed message
 * shape) goes to n8n's execution hints above the output, not into the items: items carry data a
 * Switch or a sheet can use. Operations add hints per item; the router shows them once per run.
 */
export class ExecutionHints {
	private readonly hints = new Map<string, NodeExecutionHint>();

	add(message: string, type: NodeExecutionHint['type'] = 'info'): void {
		if (this.hints.size < MAX_HINTS && !this.hints.has(message)) {
			this.hints.set(message, { message, type, location: 'outputPane' });
		}
	}

	/** Hands the hints to n8n (execution hints exist in n8n 1.x and 2.x; tests may lack them). */
	show(fns: IExecuteFunctions): void {
		if (this.hints.size === 0 || typeof fns.addExecutionHints !== 'function') return;
		fns.addExecutionHints(...this.hints.values());
		this.hints.clear();
	}
}

const byRun = new WeakMap<IExecuteFunctions, ExecutionHints>();

/** The hints of the run `fns` belongs to (n8n gives every run of a node its own functions). */
export function executionHints(fns: IExecuteFunctions): ExecutionHints {
	let hints = byRun.get(fns);
	if (!hints) byRun.set(fns, (hints = new ExecutionHints()));
	return hints;
}
