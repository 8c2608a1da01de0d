/**
 * WeHub's WebSocket transport (clients 0.4.2 and later; PROTOCOL.md, "WebSocket transport"): one
 * socket to the `ws_url` a login_ack handed out, JSON text frames in the HTTP formats. Every
 * request frame is answered by one ack frame, in order, so answers are matched to requests first
 * in, first out. Frames that answer nothing go to `onPush`:
 * - a `pull_task_ack` frame is always a push (WeHub never polls over the socket);
 * - any other frame answers the oldest unanswered request; with none unanswered, it is a push too
 *   (a `common_ack` carrying `reply_task_list`, or a stray frame the simulator records).
 * A `common_ack` push that arrives while a request awaits its `common_ack` cannot be told apart from
 * that answer; servers should push tasks as `pull_task_ack` frames.
 *
 * Built to be held open by thousands of bots in one process: no compression (WeHub's Qt socket
 * offers none, and zlib contexts would cost far more than the socket), no HTTP agent (`ws` opens
 * its own connection), and no timer per request: one shared sweep, running only while some
 * request awaits its answer, fails the answers that are overdue.
 */
import WebSocket from 'ws';

export interface FrameAnswer {
	body: string;
	latencyMs: number;
}

export interface WebSocketEvents {
	/** A frame that answers no request; `binary` when it was not a text frame. */
	onPush: (body: string, binary: boolean) => void;
	/** The socket closed without close() being called (1006 when the connection just dropped). */
	onClose: (transport: WebSocketTransport, code: number, reason: string) => void;
}

export interface WebSocketTransportOptions {
	/** How long an ack may take, and the opening handshake too; WeHub's HTTP timeout is 30 s. */
	timeoutMs?: number;
}

/** The server answered the upgrade request with an HTTP status instead of 101. */
export class UpgradeRefusedError extends Error {
	constructor(
		readonly url: string,
		readonly status: number,
	) {
		super(`the WebSocket upgrade to ${url} was refused with HTTP ${status}`);
		this.name = 'UpgradeRefusedError';
	}
}

interface Pending {
	resolve: (answer: FrameAnswer) => void;
	reject: (error: Error) => void;
	sentAt: number;
}

/** How often the shared sweep looks for overdue answers. */
const SWEEP_MS = 100;

export class WebSocketTransport {
	/** Transports with at least one request awaiting its answer. */
	private static readonly awaiting = new Set<WebSocketTransport>();
	private static sweeper?: NodeJS.Timeout;

	private readonly pending: Pending[] = [];
	private closedByUs = false;
	private readonly closed: Promise<void>;

	private constructor(
		readonly url: string,
		private readonly socket: WebSocket,
		private readonly timeoutMs: number,
		private readonly events: WebSocketEvents,
	) {
		socket.on('message', (data, isBinary) => this.received(data, isBinary));
		// An error is always followed by 'close', which settles everything.
		socket.on('error', () => {});
		this.closed = new Promise<void>((resolve) =>
			socket.once('close', (code, reason) => {
				this.settleOnClose(code, reason.toString('utf8'));
				resolve();
			}),
		);
	}

	/** Opens the socket to `url` exactly as given (query string included); rejects when it cannot. */
	static async connect(
		url: string,
		events: WebSocketEvents,
		options: WebSocketTransportOptions = {},
	): Promise<WebSocketTransport> {
		const timeoutMs = options.timeoutMs ?? 30_000;
		return await new Promise<WebSocketTransport>((resolve, reject) => {
			const socket = new WebSocket(url, {
				perMessageDeflate: false,
				handshakeTimeout: timeoutMs,
				followRedirects: false,
			});
			let refusedWith: number | undefined;
			socket.once('unexpected-response', (_request, response) => {
				refusedWith = response.statusCode ?? 0;
				response.resume();
				socket.terminate();
			});
			const fail = (error: Error) => {
				socket.removeAllListeners();
				socket.on('error', () => {});
				reject(refusedWith === undefined ? error : new UpgradeRefusedError(url, refusedWith));
			};
			socket.once('error', fail);
			socket.once('open', () => {
				socket.off('error', fail);
				socket.removeAllListeners('unexpected-response');
				resolve(new WebSocketTransport(url, socket, timeoutMs, events));
			});
		});
	}

	get isOpen(): boolean {
		return this.socket.readyState === WebSocket.OPEN;
	}

	/** Sends one request frame; resolves with the frame that answers it. */
	async request(frame: unknown): Promise<FrameAnswer> {
		if (!this.isOpen) throw new Error('the WebSocket is not open');
		return await new Promise<FrameAnswer>((resolve, reject) => {
			this.pending.push({ resolve, reject, sentAt: performance.now() });
			if (this.pending.length === 1) WebSocketTransport.watch(this);
			this.socket.send(JSON.stringify(frame));
		});
	}

	/** Sends a frame that gets no answer (the heartbeat); false when the socket is not open. */
	send(frame: unknown): boolean {
		if (!this.isOpen) return false;
		this.socket.send(JSON.stringify(frame));
		return true;
	}

	/** Closes the socket (1000 unless told otherwise); unanswered requests fail. */
	async close(code = 1000): Promise<void> {
		this.closedByUs = true;
		if (this.socket.readyState !== WebSocket.OPEN) {
			await this.closed;
			return;
		}
		this.socket.close(code);
		// A server that never answers the close frame is cut off instead of waiting ws's 30 s.
		const cutOff = setTimeout(() => this.socket.terminate(), 1000);
		cutOff.unref();
		await this.closed;
		clearTimeout(cutOff);
	}

	private received(data: WebSocket.RawData, isBinary: boolean): void {
		const body = (
			Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
		).toString('utf8');
		const answering = !isBinary && this.pending.length > 0 && !isPushedTask(body);
		if (!answering) {
			this.events.onPush(body, isBinary);
			return;
		}
		const pending = this.pending.shift() as Pending;
		if (this.pending.length === 0) WebSocketTransport.unwatch(this);
		pending.resolve({ body, latencyMs: performance.now() - pending.sentAt });
	}

	private settleOnClose(code: number, reason: string): void {
		WebSocketTransport.unwatch(this);
		const unanswered = this.pending.splice(0);
		const error = new Error(`the WebSocket closed (code ${code}) before the answer`);
		for (const pending of unanswered) pending.reject(error);
		if (!this.closedByUs) this.events.onClose(this, code, reason);
	}

	/** Fails the answers overdue at `now`; the oldest request is always the first due. */
	private expire(now: number): void {
		while (this.pending.length > 0 && now - this.pending[0].sentAt >= this.timeoutMs) {
			(this.pending.shift() as Pending).reject(new Error(`no answer within ${this.timeoutMs} ms`));
		}
		if (this.pending.length === 0) WebSocketTransport.unwatch(this);
	}

	private static watch(transport: WebSocketTransport): void {
		WebSocketTransport.awaiting.add(transport);
		if (WebSocketTransport.sweeper) return;
		WebSocketTransport.sweeper = setInterval(() => {
			const now = performance.now();
			for (const waiting of WebSocketTransport.awaiting) waiting.expire(now);
		}, SWEEP_MS);
		WebSocketTransport.sweeper.unref();
	}

	private static unwatch(transport: WebSocketTransport): void {
		WebSocketTransport.awaiting.delete(transport);
		if (WebSocketTransport.awaiting.size > 0 || !WebSocketTransport.sweeper) return;
		clearInterval(WebSocketTransport.sweeper);
		WebSocketTransport.sweeper = undefined;
	}
}

/** A `pull_task_ack` frame: over the socket it is always a pushed task, never an answer. */
function isPushedTask(body: string): boolean {
	try {
		const parsed = JSON.parse(body) as unknown;
		return (
			typeof parsed === 'object' &&
			parsed !== null &&
			(parsed as { ack_type?: unknown }).ack_type === 'pull_task_ack'
		);
	} catch {
		return false;
	}
}
