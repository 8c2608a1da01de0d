import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import type { WeHubAck } from '../protocol/types';
import { errorMessage } from '../shared/errorMessage';
import { resolveLimits } from '../store/limits';
import type { BotRef } from '../store/TaskStore';
import { isEventSelected } from '../trigger/events';
import { handleCallback, type CallbackContext } from '../trigger/handleCallback';
import { handleMedia } from '../trigger/handleMedia';
import { handleUpload } from '../trigger/handleUpload';
import type { Delivery } from '../trigger/delivery';
import { ExecutionSlots, type ExecutionSlot } from './ExecutionSlots';
import { parseIpAllowList, type IpAllowList } from './ipAllowList';
import { bindErrorFor } from './ListenerBindError';
import { addressOf, normalisePath, type ListenerConfig } from './ListenerConfig';
import {
	endSocketWithRefusal,
	JSON_TYPE,
	refusalAck,
	refusalStatus,
	type Route,
} from './listenerAck';
import { readBody } from './readBody';
import type { Subscriber } from './Subscriber';
import { InboxKeeper } from './InboxKeeper';
import { WebSocketTransport } from './WebSocketTransport';

export type ListenerLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Multipart framing around an uploaded file: headers, boundaries, the file_index field. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/**
 * WeHub's callback, upload and media URLs on a port of our own, inside n8n's process. Requests
 * are answered by the same trigger/ handlers as webhook mode (same acks, store and items); only
 * events that pass the filters reach n8n, as executions of the subscribers.
 *
 * The listener belongs to one workflow node. Its configuration and handling context come from the
 * production subscriber (the active workflow) or, without one, from the manual run that bound it.
 */
export class WeHubListener {
	private readonly server: Server;
	private config: ListenerConfig;
	private path: string;
	private allowList: IpAllowList;
	private context: CallbackContext;
	private slots: ExecutionSlots;
	private production?: Subscriber;
	private readonly manual = new Set<Subscriber>();
	private inFlight = 0;
	private closing?: Promise<void>;
	/** WeHub 0.4.2+ clients' sockets, when the listener offers them. */
	private webSocket?: WebSocketTransport;
	/** Durable Delivery of the active workflow's events. */
	private inbox?: InboxKeeper;

	constructor(
		config: ListenerConfig,
		context: CallbackContext,
		private readonly log: ListenerLog = () => undefined,
	) {
		this.config = config;
		this.path = normalisePath(config.path);
		this.allowList = parseIpAllowList(config.allowedIps);
		this.context = this.prepareContext(context, config);
		this.slots = new ExecutionSlots(config.maxRunningExecutions);
		// Node checks header and request timeouts on this interval (30 s by default).
		this.server = createServer({ connectionsCheckingInterval: 1_000, noDelay: true }, (req, res) =>
			this.onRequest(req, res),
		);
		this.applyTimeouts();
		this.server.on('clientError', (error, socket) => this.onClientError(error, socket as Socket));
		this.server.on('upgrade', (req, socket: Duplex, head: Buffer) =>
			this.onUpgrade(req, socket, head),
		);
	}

	/** Opens the port; rejects with a ListenerBindError naming host:port and the fix. */
	async listen(): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			const onError = (error: NodeJS.ErrnoException) => {
				this.server.off('listening', onListening);
				reject(bindErrorFor(addressOf(this.config), error));
			};
			const onListening = () => {
				this.server.off('error', onError);
				resolve();
			};
			this.server.once('error', onError);
			this.server.once('listening', onListening);
			this.server.listen({ host: this.config.host, port: this.config.port });
		});
		this.server.on('error', (error) => this.log('error', `WeHub listener: ${error.message}`));
	}

	/** The bound port (tests bind port 0). */
	get port(): number {
		return (this.server.address() as AddressInfo).port;
	}

	get isClosing(): boolean {
		return this.closing !== undefined;
	}

	get subscriberCount(): number {
		return (this.production ? 1 : 0) + this.manual.size;
	}

	/** The active workflow takes the listener over: its configuration and context apply from now on. */
	setProduction(subscriber: Subscriber, context: CallbackContext, config: ListenerConfig): void {
		this.production = subscriber;
		this.context = this.prepareContext(context, config);
		this.config = config;
		this.path = normalisePath(config.path);
		this.allowList = parseIpAllowList(config.allowedIps);
		this.slots = new ExecutionSlots(config.maxRunningExecutions);
		this.applyTimeouts();
		this.inbox?.start();
	}

	/** Subscribes a manual run; it receives the next delivery with an event it selected, then leaves. */
	addManual(subscriber: Subscriber): void {
		this.manual.add(subscriber);
	}

	remove(subscriber: Subscriber): void {
		if (this.production === subscriber) this.production = undefined;
		this.manual.delete(subscriber);
	}

	/**
	 * Stops accepting connections, lets running answers finish (held acks are released at once),
	 * closes idle keep-alive sockets, and resolves when the port is free. Answers still running
	 * after the grace period are cut off.
	 */
	async close(): Promise<void> {
		if (this.closing) return await this.closing;
		this.inbox?.stop();
		const sockets = this.webSocket?.close(this.config.shutdownGraceMs);
		this.closing = new Promise<void>((resolve) => {
			const deadline = setTimeout(
				() => this.server.closeAllConnections(),
				this.config.shutdownGraceMs,
			);
			deadline.unref();
			this.server.close(() => {
				clearTimeout(deadline);
				resolve();
			});
			this.server.closeIdleConnections();
			this.slots.drain();
		}).then(async () => await sockets);
		return await this.closing;
	}

	/** The handlers' context, with what this listener adds: the WebSocket offer and the inbox. */
	private prepareContext(context: CallbackContext, config: ListenerConfig): CallbackContext {
		return this.withInbox(this.withWebSocket(context, config), config);
	}

	/**
	 * Durable Delivery, for the active workflow only (a manual run's events are not kept). The
	 * keeper's lease holder stays the same for the life of this listener.
	 */
	private withInbox(context: CallbackContext, config: ListenerConfig): CallbackContext {
		if (!config.inbox) {
			this.inbox?.stop();
			this.inbox = undefined;
			return context;
		}
		this.inbox ??= new InboxKeeper(
			config.inbox,
			context.settings.appid,
			async () => await (this.context ?? context).store(),
			(delivery) => void this.deliver(delivery, () => undefined, true),
			this.log,
		);
		return { ...context, inbox: this.inbox.config };
	}

	/**
	 * The WebSocket offer when this listener makes one. The transport is kept across a change of
	 * subscriber; a configuration without it closes it.
	 */
	private withWebSocket(context: CallbackContext, config: ListenerConfig): CallbackContext {
		if (!config.webSocket) {
			void this.webSocket?.close(0);
			this.webSocket = undefined;
			return context;
		}
		if (this.webSocket && this.webSocket.appid !== context.settings.appid) {
			void this.webSocket.close(0);
			this.webSocket = undefined;
		}
		this.webSocket ??= new WebSocketTransport(
			config.webSocket,
			context.settings.appid,
			// The current context's store (this.context is not set yet while the constructor runs).
			async () => await (this.context ?? context).store(),
			async (frame, bot) => await this.answerFrame(frame, bot),
			resolveLimits(context.settings.store.limits).lostAfterMs,
			config.maxBodyBytes,
			this.log,
		);
		return { ...context, webSocket: this.webSocket };
	}

	/** A request frame on a bot's socket: answered and delivered exactly like an HTTP callback. */
	private async answerFrame(frame: Buffer, bot: BotRef): Promise<WeHubAck> {
		const outcome = await handleCallback(frame, this.context, bot);
		await this.deliver({ items: outcome.items, deliveryId: outcome.deliveryId }, () => undefined);
		return outcome.ack;
	}

	/** `/<path>/ws` upgrades to a bot's WebSocket; anything else is refused like an unknown URL. */
	private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
		const pathname = decodePathname(req.url);
		const refuse = (status: number, reason: string) => endSocketWithRefusal(socket, status, reason);
		if (!this.webSocket || pathname !== `/${this.path}/ws`) {
			return refuse(404, `no WeHub WebSocket at ${pathname.slice(0, 200)}`);
		}
		if (!this.allowList.allows(req.socket.remoteAddress)) {
			return refuse(403, `address ${req.socket.remoteAddress} is not allowed`);
		}
		socket.on('error', () => socket.destroy());
		this.webSocket.upgrade(req, socket, head).catch((error: unknown) => {
			this.log('error', `WeHub WebSocket: ${errorMessage(error)}`);
			socket.destroy();
		});
	}

	private applyTimeouts(): void {
		this.server.headersTimeout = this.config.headersTimeoutMs;
		this.server.requestTimeout = this.config.requestTimeoutMs;
		this.server.keepAliveTimeout = this.config.keepAliveTimeoutMs;
	}

	private onRequest(req: IncomingMessage, res: ServerResponse): void {
		this.inFlight += 1;
		res.once('close', () => {
			this.inFlight -= 1;
			// Keep-alive sockets that just went idle during shutdown are closed right away.
			if (this.closing) this.server.closeIdleConnections();
		});
		const route = this.routeOf(req);
		this.answer(route, req, res).catch((error: unknown) => {
			this.log('error', `WeHub listener: ${errorMessage(error)}`);
			if (!res.headersSent)
				this.refuse(res, route, req, 500, `internal error: ${errorMessage(error)}`);
			else res.destroy();
		});
	}

	private routeOf(req: IncomingMessage): Route {
		const pathname = decodePathname(req.url);
		if (pathname === '/healthz') return 'health';
		const base = `/${this.path}`;
		if (pathname === base || pathname === `${base}/`) return 'callback';
		if (pathname === `${base}/upload`) return 'upload';
		if (pathname.startsWith(`${base}/media/`)) return 'media';
		return 'none';
	}

	private async answer(route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
		if (route === 'none') return this.refuse(res, route, req, 404, `no WeHub URL at ${req.url}`);
		const method = route === 'callback' || route === 'upload' ? 'POST' : 'GET';
		if (req.method !== method) {
			res.setHeader('allow', method);
			return this.refuse(res, route, req, 405, `use ${method} on this URL`);
		}
		if (!this.allowList.allows(req.socket.remoteAddress)) {
			return this.refuse(
				res,
				route,
				req,
				403,
				`address ${req.socket.remoteAddress} is not allowed`,
			);
		}
		if (this.inFlight > this.config.maxConcurrentRequests) {
			return this.refuse(res, route, req, 503, 'the listener is busy, retry shortly');
		}
		switch (route) {
			case 'health':
				return this.health(res);
			case 'callback':
				return await this.callback(req, res);
			case 'upload':
				return await this.upload(req, res);
			case 'media':
				return await this.media(req, res);
		}
	}

	private health(res: ServerResponse): void {
		const status = this.closing ? 503 : 200;
		this.sendJson(res, status, {
			error_code: status === 200 ? 0 : status,
			error_reason: this.closing ? 'shutting down' : '',
			ack_type: 'healthz_ack',
			data: {
				status: this.closing ? 'closing' : 'ok',
				in_flight: this.inFlight,
				running_executions: this.slots.inUse,
				waiting_acks: this.slots.queued,
				websocket_bots: this.webSocket?.connectedBots ?? 0,
			},
		});
	}

	private async callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const read = await readBody(req, this.config.maxBodyBytes);
		if (!read.ok) {
			if (read.reason === 'aborted') return void res.destroy();
			return this.refuse(
				res,
				'callback',
				req,
				413,
				`the body exceeds ${this.config.maxBodyBytes} bytes`,
			);
		}
		const outcome = await handleCallback(read.body, this.context);
		const delivery = { items: outcome.items, deliveryId: outcome.deliveryId };
		await this.deliver(delivery, () => this.sendJson(res, 200, outcome.ack));
	}

	private async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const limit = this.context.options.maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
		const declared = Number(req.headers['content-length']);
		if (Number.isFinite(declared) && declared > limit) {
			return this.refuse(res, 'upload', req, 413, `the upload exceeds ${limit} bytes`);
		}
		const outcome = await handleUpload(req, req.headers['content-type'], this.context);
		// A refused upload may leave the rest of the body unread: drain it so the socket stays usable.
		if (!req.complete) req.resume();
		const items = outcome.item ? [outcome.item] : [];
		await this.deliver({ items, upload: outcome.upload, deliveryId: outcome.deliveryId }, () =>
			this.sendJson(res, 200, outcome.ack),
		);
	}

	private async media(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const id = decodePathname(req.url).slice(`/${this.path}/media/`.length);
		let media;
		try {
			media = await handleMedia(id, this.context.settings.appid, await this.context.store());
		} catch (error) {
			return this.refuse(res, 'media', req, 503, `task store unavailable: ${errorMessage(error)}`);
		}
		if (Buffer.isBuffer(media.body)) {
			res.writeHead(media.status, this.withConnection(media.headers));
			res.end(media.body);
		} else {
			this.sendJson(res, media.status, media.body);
		}
	}

	/**
	 * The ack goes out before any execution starts: n8n closes a manual run right after its first
	 * emit, and WeHub must never wait on a workflow. With every execution slot taken, the ack is
	 * held until one frees (WeHub waits up to 30 s), which slows WeHub down instead of n8n.
	 */
	private async deliver(delivery: Delivery, sendAck: () => void, replay = false): Promise<void> {
		const { items, upload, deliveryId } = delivery;
		if (items.length === 0) return sendAck();
		const production = this.production;
		if (replay && !production) {
			// Deactivated meanwhile: the entry's lease runs out and the next activation replays it.
			if (deliveryId) void this.inbox?.settle(deliveryId, false);
			return;
		}
		let slot: ExecutionSlot | undefined;
		if (production) {
			slot = await this.slots.acquire(this.config.holdAckMs);
			if (this.slots.bounded && !slot.counted && !this.closing) {
				this.log(
					'warn',
					'WeHub listener: every execution slot stayed busy; running one more anyway',
				);
			}
		}
		sendAck();
		if (production) {
			const counted = slot!;
			const inbox = deliveryId ? this.inbox : undefined;
			inbox?.track(deliveryId!);
			void production
				.deliver(delivery)
				.then(async (ended) => await inbox?.settle(deliveryId!, ended))
				.finally(() => counted.release());
		}
		if (replay) return;
		for (const subscriber of [...this.manual]) {
			const wanted = items.filter((item) => isEventSelected(subscriber.events, item.event));
			if (wanted.length === 0) continue;
			this.manual.delete(subscriber);
			void subscriber.deliver({ items: wanted, upload });
		}
	}

	/**
	 * A refusal before the handlers run. On the callback and upload URLs it is an HTTP 200 whose
	 * `error_code` says what went wrong (WeHub shows error_reason only from answers it reads); the
	 * health check, media downloads and unknown URLs keep the HTTP status (see listenerAck.ts).
	 */
	private refuse(
		res: ServerResponse,
		route: Route,
		req: IncomingMessage,
		status: number,
		reason: string,
	): void {
		// Whatever body is left is drained, so the client reads this answer rather than a reset.
		if (!req.complete) req.resume();
		if (status === 413) res.setHeader('connection', 'close');
		this.sendJson(res, refusalStatus(route, status), refusalAck(route, status, reason));
	}

	private sendJson(res: ServerResponse, status: number, body: object): void {
		const text = JSON.stringify(body);
		res.writeHead(
			status,
			this.withConnection({
				'content-type': JSON_TYPE,
				'content-length': String(Buffer.byteLength(text)),
			}),
		);
		res.end(text);
	}

	/** During shutdown every answer closes its connection, so keep-alive sockets do not linger. */
	private withConnection(headers: Record<string, string>): Record<string, string> {
		return this.closing ? { ...headers, connection: 'close' } : headers;
	}

	/** Malformed requests and timeouts: a JSON ack written straight to the socket, never Node's default. */
	private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
		const inResponse = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })
			._httpMessage?.headersSent;
		if (error.code === 'ECONNRESET' || !socket.writable || inResponse) {
			socket.destroy();
			return;
		}
		const status =
			error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
				? 408
				: error.code === 'HPE_HEADER_OVERFLOW'
					? 431
					: 400;
		endSocketWithRefusal(socket, status, `bad request: ${error.code ?? error.message}`);
	}
}

function decodePathname(url: string | undefined): string {
	const pathname = (url ?? '/').split('?')[0];
	try {
		return decodeURIComponent(pathname);
	} catch {
		return pathname;
	}
}
