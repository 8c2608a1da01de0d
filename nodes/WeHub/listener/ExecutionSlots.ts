/** A granted slot: call `release` once the execution it stands for has ended. */
export interface ExecutionSlot {
	/** False when the wait timed out or the listener is closing: the execution runs over the limit. */
	readonly counted: boolean;
	release(): void;
}

/**
 * Bounds the executions the listener has started and not seen finish. n8n's `emit` has no
 * backpressure, so without this a burst of messages starts executions faster than n8n finishes
 * them and memory grows until the process dies. A caller that finds every slot taken waits (the
 * WeHub ack is held meanwhile, which slows WeHub down); after `waitMs` it runs anyway, uncounted,
 * because dropping a WeChat message is worse than a short overload.
 */
export class ExecutionSlots {
	private running = 0;
	private readonly waiting: Array<(slot: ExecutionSlot) => void> = [];
	private draining = false;

	constructor(private readonly limit: number) {}

	/** 0 = unlimited: slots are granted at once and never counted. */
	get bounded(): boolean {
		return this.limit > 0;
	}

	get inUse(): number {
		return this.running;
	}

	get queued(): number {
		return this.waiting.length;
	}

	async acquire(waitMs: number): Promise<ExecutionSlot> {
		if (!this.bounded || this.draining) return UNCOUNTED;
		if (this.running < this.limit) return this.grant();
		return await new Promise<ExecutionSlot>((resolve) => {
			const timer = setTimeout(() => {
				const index = this.waiting.indexOf(wake);
				if (index >= 0) this.waiting.splice(index, 1);
				resolve(UNCOUNTED);
			}, waitMs);
			const wake = (slot: ExecutionSlot) => {
				clearTimeout(timer);
				resolve(slot);
			};
			this.waiting.push(wake);
		});
	}

	/** On shutdown: every waiter proceeds now, so no held ack outlives the listener. */
	drain(): void {
		this.draining = true;
		for (const wake of this.waiting.splice(0)) wake(UNCOUNTED);
	}

	private grant(): ExecutionSlot {
		this.running += 1;
		let released = false;
		return {
			counted: true,
			release: () => {
				if (released) return;
				released = true;
				const next = this.waiting.shift();
				// Hand the slot straight to the next waiter: the count stays the same.
				if (next) next(this.handOver());
				else this.running -= 1;
			},
		};
	}

	private handOver(): ExecutionSlot {
		this.running -= 1;
		return this.grant();
	}
}

const UNCOUNTED: ExecutionSlot = { counted: false, release: () => undefined };
