/**
 * A minimal, correct WeHub callback written for the simulator's tests (independent of our
 * nodes): it acks every action with the ack_type the talking client expects, signs logins,
 * hands out queued tasks one per pull_task, and stores multipart uploads parsed with busboy.
 * Hooks let a test make it misbehave on purpose.
 */
import busboy from 'busboy';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
	action: string;
	appid: string;
	wxid: string;
	data: Record<string, unknown>;
	body: Record<string, unknown>;
	contentType: string | undefined;
	socketId: number;
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
	/** Replace the whole HTTP answer for an action (e.g. a non-JSON body); undefined = normal. */
	rawAnswer?: (request: ReceivedRequest) => string | undefined;
	/** Change the ack before it is sent. */
	editAck?: (request: ReceivedRequest, ack: Record<string, unknown>) => void;
	/** Tasks to answer report_new_msg (and other acks) with, in `reply_task_list`. */
	replyTasks?: (request: ReceivedRequest) => unknown[] | undefined;
}

export interface FakeCallbackServer {
	url: string;
	uploadUrl: string;
	requests: ReceivedRequest[];
	uploads: ReceivedUpload[];
	/** Queues a task for pull_task; returns its task_id. */
	enqueue(task: { task_type: number; task_dict: Record<string, unknown> }, taskId?: string): string;
	requestsFor(action: string): ReceivedRequest[];
	close(): Promise<void>;
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

	const server = http.createServer((req, res) => {
		if (req.url?.endsWith('/upload')) {
			handleUpload(req, res);
			return;
		}
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
			const request: ReceivedRequest = {
				action: String(body.action),
				appid: String(body.appid),
				wxid: String(body.wxid),
				data: body.data as Record<string, unknown>,
				body,
				contentType: req.headers['content-type'],
				socketId: sockets.get(req.socket) ?? -1,
			};
			requests.push(request);
			if (request.action === 'login')
				clientVersions.set(request.wxid, String(request.data.client_version));
			const raw = options.rawAnswer?.(request);
			if (raw !== undefined) {
				res.end(raw);
				return;
			}

			const data: Record<string, unknown> = {};
			if (
				request.action === 'login' &&
				typeof request.data.nonce === 'string' &&
				options.secretKey
			) {
				data.signature = createHash('md5')
					.update(`${request.wxid}#${request.data.nonce}#${options.secretKey}`)
					.digest('hex')
					.toUpperCase();
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
			res.setHeader('Content-Type', 'application/json; charset=utf-8');
			res.end(JSON.stringify(ack));
		});
	});
	server.on('connection', (socket) => sockets.set(socket, sockets.size + 1));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}/webhook/wehub`;

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
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
