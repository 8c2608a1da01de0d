import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

import { buildAck } from '../protocol/ack';
import type { WeHubAck } from '../protocol/types';
import { errorMessage } from '../shared/errorMessage';
import type { BotRef, TaskRecord } from '../store/TaskStore';
import { endSocketWithRefusal } from './listenerAck';
import type { ListenerLog } from './WeHubListener';

/** What the sockets need of the listener and its store. */
export interface SocketHost {
	/** Whether `token` is the one the bot's last login was given. */
	verifyToken(bot: BotRef, token: string): Promise<boolean>;
	/** Answers a request frame exactly as the callback URL answers its body. */
	answer(frame: Buffer, bot: BotRef): Promise<WeHubAck>;
	/** The store's at-most-once hand-out (caps, pacing and not_before apply as for polling). */
	handOut(bot: BotRef): Promise<TaskRecord | null>;
	/** Tasks still queued for the bot (held back by not_before, a cap or pacing, or just queued). */
	queueDepth(bot: BotRef): Promise<number>;
	/** A heartbeat (or any frame) arrived: the bot is online. */
	seen(bot: BotRef): Promise<void>;
	/** The bot's socket is gone (closed, or two heartbeats missed). */
	gone(bot: BotRef): Promise<void>;
}

export interface BotSocketOptions {
	/** WeHub's heartbeat interval (sent in the login_ack); two missed ones end the socket. */
	heartbeatMs: number;
	maxConnections: number;
	/** Largest frame; contact reports exceed 10 MB. */
	maxFrameBytes: number;
	/** Pushed tasks a bot may have without a report_task_result (WeHub executes one at a time). */
	maxTasksInFlight: number;
	/** A pushed task without a report after this long is the store's `lost`: stop waiting for it. */
	lostAfterMs: number;
	/** A socket whose unsent frames exceed this is too slow: nothing more is pushed to it. */
	maxBufferedBytes: number;
	/** How often bots with queued tasks held back (not_before, pacing, caps) are looked at again. */
	backlogRecheckMs: number;
}

interface Connection {
	readonly bot: BotRef;
	readonly key: string;
	readonly ws: WebSocket;
	lastSeenAt: number;
	/** When presence was last written to the store (connect, then at most every PRESENCE_EVERY_MS). */
	presenceAt: number;
	/** Frames are answered one after the other, so acks come back in request order. */
	frames: Promise<void>;
	/** Pushed task id -> when it was pushed. */
	readonly inFlight: Map<string, number>;
	/** Queued tasks are held back (or were when last looked at): the recheck timer tries again. */
	backlog: boolean;
	/** A hand-out should be tried (a wake-up, a freed slot, a new socket). */
	wanted: boolean;
	pushing: boolean;
	replaced: boolean;
}

/** How stale a connected bot's last_heartbeat_at in the store may get. */
const PRESENCE_EVERY_MS = 5 * 60_000;

/** The heartbeat frame WeHub sends: `atcion` is the document's spelling, `action` is accepted too. */
const HEARTBEAT_FRAME_MAX_BYTES = 2048;

/**
 * The WebSocket side of the listener (WeHub 0.4.2+): bots that logged in over HTTP connect to the
 * `ws_url` their login_ack named, send every callback as a frame (answered by its ack frame) and
 * receive tasks the moment they become deliverable instead of polling for them.
 *
 * Push: a bot gets its next task when one is queued for it (the store's wake-up), when its last
 * pushed task is reported, and on a recheck timer while held-back tasks wait. A task is handed out
 * by the store before it is sent, so one sent on a socket that then dies is never resent: it
 * becomes `lost` after the lost-task time, like any handed-out task.
 */
export class BotSockets {
	private readonly server: WebSocketServer;
	private readonly connections = new Map<string, Connection>();
	private readonly timers: NodeJS.Timeout[] = [];
	private closing = false;

	constructor(
		private readonly host: SocketHost,
		private readonly options: BotSocketOptions,
		private readonly log: ListenerLog = () => undefined,
	) {
		// No compression: a small compressed frame must not inflate into gigabytes.
		this.server = new WebSocketServer({
			noServer: true,
			maxPayload: options.maxFrameBytes,
			perMessageDeflate: false,
			clientTracking: false,
		});
		this.every(options.heartbeatMs / 2, () => this.checkLiveness());
		this.every(options.backlogRecheckMs, () => this.recheckBacklogs());
	}

	get size(): number {
		return this.connections.size;
	}

	/** An HTTP upgrade on the listener's socket URL: `?wxid=...&token=...` from the login_ack. */
	async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, appid: string): Promise<void> {
		if (this.closing) return refuseUpgrade(socket, 503, 'the listener is shutting down');
		if (this.connections.size >= this.options.maxConnections) {
			return refuseUpgrade(socket, 503, 'too many WebSocket connections');
		}
		const query = new URL(req.url ?? '/', 'http://listener').searchParams;
		const bot = { appid, wxid: query.get('wxid') ?? '' };
		const token = query.get('token') ?? '';
		let valid = false;
		try {
			valid = bot.wxid !== '' && (await this.host.verifyToken(bot, token));
		} catch (error) {
			return refuseUpgrade(socket, 503, `task store unavailable: ${errorMessage(error)}`);
		}
		if (!valid) {
			return refuseUpgrade(socket, 401, 'no valid token for this bot: log in again over HTTP');
		}
		if (socket.destroyed) return;
		this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws, bot));
	}

	/** A task may be deliverable for `bot` now (undefined: for any bot, e.g. another process wrote). */
	wake(bot?: BotRef): void {
		if (bot) {
			const connection = this.connections.get(keyOf(bot));
			if (connection) this.push(connection, true);
			return;
		}
		void this.rescan();
	}

	/**
	 * Stops accepting sockets, lets every frame being answered finish (up to `graceMs`), then
	 * closes the sockets with 1001 (going away), so WeHub reconnects to the next listener.
	 */
	async close(graceMs: number): Promise<void> {
		this.closing = true;
		for (const timer of this.timers) clearInterval(timer);
		const connections = [...this.connections.values()];
		await Promise.race([
			Promise.allSettled(connections.map((connection) => connection.frames)),
			new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
		]);
		for (const connection of connections) connection.ws.close(1001, 'n8n is shutting down');
		this.connections.clear();
		this.server.close();
	}

	private accept(ws: WebSocket, bot: BotRef): void {
		const key = keyOf(bot);
		const previous = this.connections.get(key);
		if (previous) {
			previous.replaced = true;
			previous.ws.close(4000, 'replaced by a newer connection of this bot');
		}
		const connection: Connection = {
			bot,
			key,
			ws,
			lastSeenAt: Date.now(),
			presenceAt: 0,
			frames: Promise.resolve(),
			inFlight: new Map(),
			backlog: false,
			wanted: false,
			pushing: false,
			replaced: false,
		};
		this.connections.set(key, connection);
		ws.on('message', (data, isBinary) => this.onFrame(connection, data, isBinary));
		ws.on('pong', () => (connection.lastSeenAt = Date.now()));
		ws.on('error', (error) => this.log('warn', `WeHub socket of ${bot.wxid}: ${error.message}`));
		ws.on('close', () => this.onClose(connection));
		this.seen(connection);
		this.push(connection, true);
	}

	private onFrame(connection: Connection, data: RawData, isBinary: boolean): void {
		connection.lastSeenAt = Date.now();
		const frame = toBuffer(data);
		if (!isBinary && isHeartbeat(frame)) return this.seen(connection);
		connection.frames = connection.frames.then(() => this.answer(connection, frame));
	}

	private async answer(connection: Connection, frame: Buffer): Promise<void> {
		let ack: WeHubAck;
		try {
			ack = await this.host.answer(frame, connection.bot);
		} catch (error) {
			ack = buildAck('unknown', undefined, {
				errorCode: 500,
				errorReason: `internal error: ${errorMessage(error)}`,
			});
		}
		this.send(connection, ack);
		// report_task_result echoes the task id: that bot may take its next task now.
		const reported = (ack.data as { task_id?: unknown }).task_id;
		if (typeof reported === 'string' && connection.inFlight.delete(reported)) {
			this.push(connection, true);
		}
	}

	/**
	 * Hands out and sends the bot's next deliverable tasks while it has room for them. A wake-up
	 * that arrives during a hand-out is not lost: the loop looks again before it stops.
	 */
	private push(connection: Connection, wanted: boolean): void {
		connection.wanted ||= wanted;
		if (connection.pushing || !connection.wanted) return;
		connection.pushing = true;
		void this.pushWhileWanted(connection).finally(() => (connection.pushing = false));
	}

	private async pushWhileWanted(connection: Connection): Promise<void> {
		try {
			while (connection.wanted && this.hasRoom(connection)) {
				connection.wanted = false;
				const task = await this.host.handOut(connection.bot);
				if (!task) {
					// Held back (not_before, pacing, a daily cap) or nothing queued: the recheck timer
					// looks again while anything is queued.
					if (!connection.wanted)
						connection.backlog = (await this.host.queueDepth(connection.bot)) > 0;
					continue;
				}
				connection.inFlight.set(task.task_id, Date.now());
				connection.wanted = true;
				const data = { task_id: task.task_id, task_data: task.task };
				// pull_task_ack on every client version.
				this.send(connection, buildAck('pull_task', undefined, { data }));
			}
		} catch (error) {
			connection.backlog = true;
			this.log('error', `WeHub socket of ${connection.bot.wxid}: ${errorMessage(error)}`);
		}
	}

	private hasRoom(connection: Connection): boolean {
		return (
			!this.closing &&
			connection.inFlight.size < this.options.maxTasksInFlight &&
			connection.ws.readyState === connection.ws.OPEN &&
			connection.ws.bufferedAmount <= this.options.maxBufferedBytes
		);
	}

	private send(connection: Connection, ack: object): void {
		if (connection.ws.readyState === connection.ws.OPEN) connection.ws.send(JSON.stringify(ack));
	}

	/**
	 * Presence in the store: written when the socket opens, then at most every PRESENCE_EVERY_MS
	 * (liveness itself is `lastSeenAt`, in memory): a heartbeat of every bot every 30 s would
	 * otherwise cost a store write each, nearly all of what an idle socket costs.
	 */
	private seen(connection: Connection): void {
		const now = Date.now();
		if (now - connection.presenceAt < PRESENCE_EVERY_MS) return;
		connection.presenceAt = now;
		void this.host.seen(connection.bot).catch((error: unknown) => {
			connection.presenceAt = 0;
			this.log('warn', `WeHub socket of ${connection.bot.wxid}: ${errorMessage(error)}`);
		});
	}

	private onClose(connection: Connection): void {
		if (this.connections.get(connection.key) === connection)
			this.connections.delete(connection.key);
		if (connection.replaced || this.closing) return;
		void this.host.gone(connection.bot).catch(() => undefined);
	}

	/** Two missed heartbeats end a socket; live ones get a WebSocket ping to keep NATs open. */
	private checkLiveness(): void {
		const now = Date.now();
		// Two intervals and a quarter: a heartbeat a little late is not a missed one.
		const deadline = now - 2.25 * this.options.heartbeatMs;
		for (const connection of this.connections.values()) {
			if (connection.lastSeenAt < deadline) {
				connection.ws.terminate();
				continue;
			}
			for (const [taskId, pushedAt] of connection.inFlight) {
				if (now - pushedAt <= this.options.lostAfterMs) continue;
				// The store marks it lost; the bot may have the next one.
				connection.inFlight.delete(taskId);
				this.push(connection, true);
			}
			// Only a socket silent for a whole interval is pinged: 10,000 pings in one loop stall it.
			if (now - connection.lastSeenAt >= this.options.heartbeatMs) connection.ws.ping();
		}
	}

	private recheckBacklogs(): void {
		for (const connection of this.connections.values()) {
			if (connection.backlog) {
				connection.backlog = false;
				this.push(connection, true);
			}
		}
	}

	/** Another process queued something: find the connected bots that now have tasks. */
	private async rescan(): Promise<void> {
		for (const connection of [...this.connections.values()]) {
			if (connection.backlog || connection.inFlight.size >= this.options.maxTasksInFlight) continue;
			try {
				if ((await this.host.queueDepth(connection.bot)) > 0) this.push(connection, true);
			} catch {
				return;
			}
		}
	}

	private every(ms: number, run: () => void): void {
		const timer = setInterval(run, ms);
		timer.unref();
		this.timers.push(timer);
	}
}

function keyOf(bot: BotRef): string {
	return `${bot.appid}\n${bot.wxid}`;
}

function toBuffer(data: RawData): Buffer {
	if (Buffer.isBuffer(data)) return data;
	if (Array.isArray(data)) return Buffer.concat(data);
	return Buffer.from(data);
}

function isHeartbeat(frame: Buffer): boolean {
	if (frame.length > HEARTBEAT_FRAME_MAX_BYTES) return false;
	try {
		const parsed = JSON.parse(frame.toString('utf8')) as { atcion?: unknown; action?: unknown };
		return parsed.atcion === 'heartbeat' || parsed.action === 'heartbeat';
	} catch {
		return false;
	}
}

/** A refused upgrade gets an HTTP answer with a JSON ack, like every other refusal. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
	if (!socket.destroyed) endSocketWithRefusal(socket, status, reason);
}
