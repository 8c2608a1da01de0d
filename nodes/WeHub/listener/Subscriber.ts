import type { Delivery } from '../trigger/delivery';

/**
 * Who receives the listener's events. `production`: the active workflow (one execution per
 * delivery). `manual`: an "Execute workflow" run in the editor, which takes one delivery and leaves.
 */
export interface Subscriber {
	readonly kind: 'production' | 'manual';
	/** Events this subscriber wants (the trigger's picker values, `*` = all). */
	readonly events: string[];
	/**
	 * Starts the execution. Resolves when it has ended (so the listener can bound running
	 * executions and forget the delivery's inbox entry), or at once when the caller does not track
	 * it: true once started (and, when tracked, ended), false when it could not start. Never throws.
	 */
	deliver(delivery: Delivery): Promise<boolean>;
}
