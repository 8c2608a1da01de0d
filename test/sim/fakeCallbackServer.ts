/**
 * A minimal, correct WeHub callback written for the simulator's tests (independent of our
 * nodes): it acks every action with the ack_type the talking client expects, signs logins,
 * hands out queued tasks one per pull_task, and stores multipart uploads parsed with busboy.
 * Hooks let a test make it misbehave on purpose.
 *
 * With `webSocket`, it also plays the WebSocket side (PROTOCOL.md, "WebSocket transport") on a
 * real `ws` server: login_ack hands out `extension_protocol` with a ws_url carrying the bot's
 * wxid and a token of that login, request frames are answered like HTTP requests (in order),
 * heartbeats are recorded and not answered, and tests push tasks, drop sockets or refuse upgrades.
 */
import busboy from 'busboy';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ReceivedRequest {
	action: string;
	appid: string;
	wxid: string;
	data: Record<string, unknown>;
	body: Record<string, unknown>;
	contentType: string | undefined;
	socketId: number;
	transport: 'http' | 'websocket';
}

export interface ReceivedFrame {
	wxid: string;
	/** The parsed frame (a heartbeat carries `atcion` or `action`). */
	body: Record<string, unknown>;
	at: number;
}

export interface UpgradeAttempt {
	/** Path and query string as the client asked for them. */
	url: string;
	wxid: string;
	/** 101 when accepted, else the HTTP status it was refused with. */
	status: number;
}

export interface FakeWebSocketOptions {
	/** login_ack's heartbeat_interval in seconds; default 30. */
	heartbeatInterval?: number;
	/** Which logins are offered the socket; default every one. */
	offerTo?: (request: ReceivedRequest) => boolean;
}

export interface ReceivedUpload {
	fileIndex: string;
	filename: string;
	mimeType: string;
	bytes: Buffer;
	contentType: string | undefined;
}

export interface FakeCallbackOptions {
	secretKey?: string;
	/**
	 * Replace the whole answer for an action (e.g. a non-JSON body); undefined = normal; null =
	 * no answer at all (HTTP: the response never ends).
	 */
	rawAnswer?: (request: ReceivedRequest) => string | null | undefined;
	/** Change the ack before it is sent. */
	editAck?: (request: ReceivedRequest, ack: Record<string, unknown>) => void;
	/** Tasks to answer report_new_msg (and other acks) with, in `reply_task_list`. */
	replyTasks?: (request: ReceivedRequest) => unknown[] | undefined;
	/** Offer the WebSocket transport in login_ack and serve it. */
	webSocket?: FakeWebSocketOptions;
}

export interface FakeCallbackServer {
	url: string;
	uploadUrl: string;
	requests: ReceivedRequest[];
	uploads: ReceivedUpload[];
	/** Queues a task for pull_task; returns its task_id. */
	enqueue(task: { task_type: number; task_dict: Record<string, unknown> }, taskId?: string): string;
	requestsFor(action: string): ReceivedRequest[];
	/** Open kept-alive HTTP connections (upgraded ones not counted). */
	httpConnections(): number;
	close(): Promise<void>;
	/** The WebSocket side; present with the `webSocket` option. */
	ws: FakeWebSocketSide;
}

export interface FakeWebSocketSide {
	/** `ws://127.0.0.1:<port>/webhook/wehub/ws`; login_ack adds `?wxid=...&token=...`. */
	baseUrl: string;
	/** The ws_url each login_ack handed out, in order. */
	handedOut: string[];
	upgrades: UpgradeAttempt[];
	/** Every frame received, heartbeats included. */
	frames: ReceivedFrame[];
	heartbeats: ReceivedFrame[];
	/** Close codes of sockets the clients closed. */
	closedByClient: Array<{ wxid: string; code: number }>;
	/** Open sockets of `wxid`. */
	openSockets(wxid?: string): number;
	/** Pushes a task to the bot's newest open socket as a pull_task_ack frame; returns its task_id. */
	push(
		wxid: string,
		task: { task_type: number; task_dict: Record<string, unknown> },
		taskId?: string,
	): string;
	/** Sends any frame (an object is sent as JSON) to the bot's newest open socket. */
	pushFrame(wxid: string, frame: unknown, options?: { binary?: boolean }): void;
	/** Drops every open socket: `terminate` cuts the connection, a code closes it cleanly. */
	drop(how?: 'terminate' | number): void;
	/** Refuse upgrades with this HTTP status: the next `times` ones, or all until told undefined. */
	refuseUpgrades(status: number | undefined, times?: number): void;
	/** Tokens handed out so far stop working: their upgrades get 401 (a new login gets a new one). */
	revokeTokens(): void;
}

export async function startFakeCallback(
	options: FakeCallbackOptions = {},
): Promise<FakeCallbackServer> {
	const requests: ReceivedRequest[] = [];
	const uploads: ReceivedUpload[] = [];
	const queue: Array<{ task_id: string; task_data: unknown }> = [];
	const clientVersions = new Map<string, string>();
	const sockets = new Map<object, number>();
	let nextTaskId = 1;
	const wss = new WebSocketServer({ noServer: true });
	const openSockets = new Map<string, WebSocket[]>();
	/** Sockets this server dropped or closed itself (their close is not the client's). */
	const dropping = new WeakSet<WebSocket>();
	const upgraded = new WeakSet<object>();
	const validTokens = new Set<string>();
	let nextToken = 1;
	let refuseWith: number | undefined;
	let refusalsLeft = Infinity;
	let port = 0;
	const side: FakeWebSocketSide = {
		baseUrl: '',
		handedOut: [],
		upgrades: [],
		frames: [],
		heartbeats: [],
		closedByClient: [],
		openSockets: (wxid) =>
			wxid === undefined
				? [...openSockets.values()].reduce((total, list) => total + list.length, 0)
				: (openSockets.get(wxid)?.length ?? 0),
		push(wxid, task, taskId) {
			const task_id = taskId ?? `task-${nextTaskId++}`;
			side.pushFrame(wxid, {
				error_code: 0,
				error_reason: '',
				ack_type: 'pull_task_ack',
				data: { task_id, task_data: task },
			});
			return task_id;
		},
		pushFrame(wxid, frame, pushOptions = {}) {
			const socket = openSockets.get(wxid)?.at(-1);
			if (!socket) throw new Error(`no open WebSocket for ${wxid}`);
			const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
			socket.send(pushOptions.binary ? Buffer.from(text) : text, { binary: !!pushOptions.binary });
		},
		drop(how = 'terminate') {
			for (const socket of [...openSockets.values()].flat()) {
				dropping.add(socket);
				if (how === 'terminate') socket.terminate();
				else socket.close(how, 'going away');
			}
		},
		refuseUpgrades(status, times = Infinity) {
			refuseWith = status;
			refusalsLeft = times;
		},
		revokeTokens() {
			validTokens.clear();
		},
	};

	const ackTypeFor = (action: string, wxid: string) => {
		// Until a login says otherwise, assume a current client.
		const version = clientVersions.get(wxid) ?? '0.4.26';
		const legacy = /^0\.1\./.test(version);
		return legacy || ['login', 'logout', 'pull_task'].includes(action)
			? `${action}_ack`
			: 'common_ack';
	};

	const handleUpload = (req: http.IncomingMessage, res: http.ServerResponse) => {
		const form = busboy({ headers: req.headers, defParamCharset: 'utf8' });
		let fileIndex = '';
		const files: Array<Omit<ReceivedUpload, 'fileIndex' | 'contentType'>> = [];
		form.on('field', (name, value) => {
			if (name === 'file_index') fileIndex = value;
		});
		form.on('file', (_name, stream, info) => {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () =>
				files.push({
					filename: info.filename ?? '',
					mimeType: info.mimeType,
					bytes: Buffer.concat(chunks),
				}),
			);
		});
		form.on('close', () => {
			for (const file of files)
				uploads.push({ ...file, fileIndex, contentType: req.headers['content-type'] });
			res.setHeader('Content-Type', 'application/json');
			res.end(
				JSON.stringify({
					error_code: 0,
					error_reason: '',
					ack_type: 'upload_file_ack',
					file_index: fileIndex,
				}),
			);
		});
		req.pipe(form);
	};

	/** The answer to one request, over either transport; `text` null = none. */
	const answer = (request: ReceivedRequest): { text: string | null; raw: boolean } => {
		requests.push(request);
		if (request.action === 'login')
			clientVersions.set(request.wxid, String(request.data.client_version));
		const raw = options.rawAnswer?.(request);
		if (raw !== undefined) return { text: raw, raw: true };

		const data: Record<string, unknown> = {};
		if (request.action === 'login' && typeof request.data.nonce === 'string' && options.secretKey) {
			data.signature = createHash('md5')
				.update(`${request.wxid}#${request.data.nonce}#${options.secretKey}`)
				.digest('hex')
				.toUpperCase();
		}
		if (
			request.action === 'login' &&
			options.webSocket &&
			(options.webSocket.offerTo?.(request) ?? true)
		) {
			const token = `t${nextToken++}`;
			validTokens.add(token);
			const ws_url = `${side.baseUrl}?wxid=${encodeURIComponent(request.wxid)}&token=${token}`;
			side.handedOut.push(ws_url);
			data.extension_protocol = {
				type: 'websocket',
				param: { ws_url, heartbeat_interval: options.webSocket.heartbeatInterval ?? 30 },
			};
		}
		if (request.action === 'pull_task') Object.assign(data, queue.shift() ?? {});
		if (request.action === 'report_task_result') data.task_id = request.data.task_id;
		const replies = options.replyTasks?.(request);
		if (replies) data.reply_task_list = replies;
		const ack: Record<string, unknown> = {
			error_code: 0,
			error_reason: '',
			ack_type: ackTypeFor(request.action, request.wxid),
			data,
		};
		options.editAck?.(request, ack);
		return { text: JSON.stringify(ack), raw: false };
	};

	const server = http.createServer((req, res) => {
		if (req.url?.endsWith('/upload')) {
			handleUpload(req, res);
			return;
		}
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
			const { text, raw } = answer({
				action: String(body.action),
				appid: String(body.appid),
				wxid: String(body.wxid),
				data: body.data as Record<string, unknown>,
				body,
				contentType: req.headers['content-type'],
				socketId: sockets.get(req.socket) ?? -1,
				transport: 'http',
			});
			if (text === null) return;
			if (!raw) res.setHeader('Content-Type', 'application/json; charset=utf-8');
			res.end(text);
		});
	});
	server.on('connection', (socket) => sockets.set(socket, sockets.size + 1));

	const refuse = (socket: Socket, status: number) => {
		socket.end(
			`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
		);
	};
	server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
		const target = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
		const wxid = target.searchParams.get('wxid') ?? '';
		const attempt: UpgradeAttempt = { url: req.url ?? '', wxid, status: 101 };
		side.upgrades.push(attempt);
		const status =
			!options.webSocket || target.pathname !== '/webhook/wehub/ws'
				? 404
				: (refuseWith ?? (validTokens.has(target.searchParams.get('token') ?? '') ? 101 : 401));
		if (refuseWith !== undefined && --refusalsLeft <= 0) refuseWith = undefined;
		if (status !== 101) {
			attempt.status = status;
			refuse(socket, status);
			return;
		}
		upgraded.add(socket);
		wss.handleUpgrade(req, socket, head, (ws) => {
			openSockets.set(wxid, [...(openSockets.get(wxid) ?? []), ws]);
			ws.on('close', (code) => {
				openSockets.set(
					wxid,
					(openSockets.get(wxid) ?? []).filter((open) => open !== ws),
				);
				if (!dropping.has(ws)) side.closedByClient.push({ wxid, code });
			});
			ws.on('message', (raw, isBinary) => {
				if (isBinary) return;
				const body = JSON.parse(raw.toString()) as Record<string, unknown>;
				const frame: ReceivedFrame = { wxid, body, at: Date.now() };
				side.frames.push(frame);
				if (body.atcion === 'heartbeat' || body.action === 'heartbeat') {
					side.heartbeats.push(frame);
					return;
				}
				const { text } = answer({
					action: String(body.action),
					appid: String(body.appid),
					wxid: String(body.wxid),
					data: body.data as Record<string, unknown>,
					body,
					contentType: undefined,
					socketId: -1,
					transport: 'websocket',
				});
				if (text !== null) ws.send(text);
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as AddressInfo).port;
	const url = `http://127.0.0.1:${port}/webhook/wehub`;
	side.baseUrl = `ws://127.0.0.1:${port}/webhook/wehub/ws`;

	return {
		url,
		uploadUrl: `${url}/upload`,
		requests,
		uploads,
		enqueue(task, taskId) {
			const task_id = taskId ?? `task-${nextTaskId++}`;
			queue.push({ task_id, task_data: task });
			return task_id;
		},
		requestsFor: (action) => requests.filter((request) => request.action === action),
		httpConnections: () => {
			let open = 0;
			for (const socket of sockets.keys())
				if (!(socket as Socket).destroyed && !upgraded.has(socket)) open++;
			return open;
		},
		close: async () => {
			for (const socket of [...openSockets.values()].flat()) {
				dropping.add(socket);
				socket.terminate();
			}
			wss.close();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
		ws: side,
	};
}
