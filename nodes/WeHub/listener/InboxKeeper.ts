import { randomBytes } from 'node:crypto';

import { errorMessage } from '../shared/errorMessage';
import type { TaskStore } from '../store/TaskStore';
import type { Delivery } from '../trigger/delivery';
import { replayOf, type InboxConfig } from '../trigger/inbox';
import type { ListenerLog } from './WeHubListener';

/** Entries taken over per look, at most: replays go through the execution slots anyway. */
const CLAIM_LIMIT = 50;

/**
 * The listener's side of Durable Delivery. Every event it acknowledged sits in the store's inbox
 * under this listener's lease until n8n reports its execution ended; the keeper renews the leases
 * of executions still running, forgets entries whose execution ended, and takes over (replays)
 * entries of this workflow whose lease ran out — their process died before the execution ended.
 * A lease, not an age, tells a dead process from a long execution.
 */
export class InboxKeeper {
	readonly config: InboxConfig;
	/** Delivery id -> when its execution started (entries whose end n8n never reports expire). */
	private readonly running = new Map<string, number>();
	private timer?: NodeJS.Timeout;
	private claiming = false;

	constructor(
		config: Omit<InboxConfig, 'holder'>,
		private readonly appid: string,
		private readonly store: () => Promise<TaskStore>,
		private readonly replay: (delivery: Delivery) => void,
		private readonly log: ListenerLog,
	) {
		this.config = { ...config, holder: `listener-${randomBytes(8).toString('hex')}` };
	}

	/** Starts renewing and taking over; the first look for orphaned entries happens at once. */
	start(): void {
		if (this.timer) return;
		this.timer = setInterval(() => void this.tick(), Math.max(1_000, this.config.leaseMs / 3));
		this.timer.unref();
		void this.claim();
	}

	stop(): void {
		clearInterval(this.timer);
		this.timer = undefined;
	}

	/** The delivery's execution started here. */
	track(deliveryId: string): void {
		this.running.set(deliveryId, Date.now());
	}

	/** Its execution ended (or never could start: the entry then waits for its lease to run out). */
	async settle(deliveryId: string, ended: boolean): Promise<void> {
		this.running.delete(deliveryId);
		if (!ended) return;
		try {
			await (await this.store()).inboxDone(this.appid, deliveryId);
		} catch (error) {
			this.log('warn', `WeHub inbox: could not forget ${deliveryId}: ${errorMessage(error)}`);
		}
	}

	private async tick(): Promise<void> {
		const now = Date.now();
		for (const [id, startedAt] of this.running) {
			// n8n never reported an end (e.g. an engine without done promises): stop holding it.
			if (now - startedAt > this.config.maxAgeMs) {
				this.log('warn', `WeHub inbox: the execution of ${id} never reported its end; dropped`);
				await this.settle(id, true);
			}
		}
		try {
			const store = await this.store();
			const until = now + this.config.leaseMs;
			await store.inboxRenew(this.appid, [...this.running.keys()], this.config.holder, until);
		} catch (error) {
			this.log('warn', `WeHub inbox: could not renew leases: ${errorMessage(error)}`);
		}
		await this.claim();
	}

	private async claim(): Promise<void> {
		if (this.claiming || !this.timer) return;
		this.claiming = true;
		try {
			const store = await this.store();
			const now = Date.now();
			const { claimed, dropped } = await store.inboxClaimExpired(
				this.appid,
				this.config.owner,
				this.config.holder,
				now + this.config.leaseMs,
				CLAIM_LIMIT,
				now,
				now - this.config.maxAgeMs,
			);
			if (dropped > 0) {
				this.log(
					'warn',
					`WeHub inbox: ${dropped} undelivered event(s) older than the limit dropped`,
				);
			}
			if (claimed.length > 0) {
				this.log(
					'info',
					`WeHub inbox: replaying ${claimed.length} event(s) whose execution never ended`,
				);
			}
			for (const entry of claimed) {
				this.track(entry.id);
				this.replay(replayOf(entry));
			}
		} catch (error) {
			this.log(
				'warn',
				`WeHub inbox: could not look for undelivered events: ${errorMessage(error)}`,
			);
		} finally {
			this.claiming = false;
		}
	}
}
