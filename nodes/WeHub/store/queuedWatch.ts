import type { BotRef } from './TaskStore';

/** One enqueue, as the embedded store logs it for other processes. */
export interface QueuedEntry {
	appid: string;
	wxid: string;
	/** Epoch ms; the sweep trims the log by it. */
	at: number;
}

export interface QueuedLog {
	/** The log's last number and its entries after `afterSeq` (at most `limit`), with their numbers. */
	queuedSince(
		afterSeq: number,
		limit: number,
	): { seq: number; entries: Array<[number, QueuedEntry]> };
}

/** How often the log is read for enqueues of other processes (a read, no write transaction). */
const READ_EVERY_MS = 250;
/** More entries than this in one read: tell the listeners to look at every bot instead. */
const READ_LIMIT = 1_000;

/**
 * `watchQueued` of the embedded store. Enqueues in this process are announced at once; other
 * processes on the host share the lmdb folder but not the memory, so their enqueues are found in
 * the store's numbered log, read four times a second while anyone watches. Nothing is lost
 * between two reads: every enqueue has a number, and the reader goes on from the last one it saw.
 */
export class QueuedWatch {
	private readonly listeners = new Set<(bot?: BotRef) => void>();
	/** Numbers of this process's own enqueues, already announced. */
	private readonly local = new Set<number>();
	private lastSeq = 0;
	private timer?: NodeJS.Timeout;

	constructor(private readonly log: QueuedLog) {}

	add(listener: (bot?: BotRef) => void): () => void {
		if (this.listeners.size === 0) {
			this.lastSeq = this.log.queuedSince(Number.MAX_SAFE_INTEGER, 0).seq;
			this.timer = setInterval(() => this.read(), READ_EVERY_MS);
			this.timer.unref();
		}
		this.listeners.add(listener);
		return () => {
			this.listeners.delete(listener);
			if (this.listeners.size === 0) this.stop();
		};
	}

	queuedHere(bot: BotRef, seq: number): void {
		if (this.listeners.size === 0) return;
		this.local.add(seq);
		this.announce(bot);
	}

	stop(): void {
		clearInterval(this.timer);
		this.timer = undefined;
		this.local.clear();
	}

	private read(): void {
		let found;
		try {
			found = this.log.queuedSince(this.lastSeq, READ_LIMIT);
		} catch {
			return; // The store is closing; the next read (if any) tries again.
		}
		if (found.seq <= this.lastSeq) return;
		if (found.seq - this.lastSeq > found.entries.length) {
			this.announce(undefined);
		} else {
			for (const [seq, entry] of found.entries) {
				if (!this.local.delete(seq)) this.announce({ appid: entry.appid, wxid: entry.wxid });
			}
		}
		for (const seq of this.local) if (seq <= found.seq) this.local.delete(seq);
		this.lastSeq = found.seq;
	}

	private announce(bot: BotRef | undefined): void {
		for (const listener of this.listeners) listener(bot);
	}
}
