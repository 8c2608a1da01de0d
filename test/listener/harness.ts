import { mock, type MockProxy } from 'jest-mock-extended';
import type {
	ICredentialDataDecryptedObject,
	INode,
	INodeExecutionData,
	IRun,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startListenerTrigger } from '../../nodes/WeHub/receive/listenerMode';
import { closeAllTaskStores, openTaskStore } from '../../nodes/WeHub/store/openTaskStore';
import type { TaskStore } from '../../nodes/WeHub/store/TaskStore';
import { freePort } from '../e2e/harness/freePort';

export { freePort };

export const APPID = 'wh_appid_3f9c2a';
export const SECRET = '112233';

/** A real embedded store (lmdb) in a temp folder; each test gets a fresh one. */
export class TempStores {
	private folder = mkdtempSync(join(tmpdir(), 'wehub-listener-'));
	private counter = 0;

	credential(): ICredentialDataDecryptedObject {
		this.counter += 1;
		return {
			appId: APPID,
			secretKey: SECRET,
			allowedBots: '',
			storeBackend: 'embedded',
			storePath: join(this.folder, `store-${this.counter}`),
		};
	}

	async open(credential: ICredentialDataDecryptedObject): Promise<TaskStore> {
		return await openTaskStore({ backend: 'embedded', path: String(credential.storePath) });
	}

	async cleanUp(): Promise<void> {
		await closeAllTaskStores();
		rmSync(this.folder, { recursive: true, force: true });
	}
}

export interface FakeTrigger {
	fns: MockProxy<ITriggerFunctions>;
	/** Every `emit` call's items, in order. */
	emitted: INodeExecutionData[][];
	/** donePromise of each emit (undefined when the listener did not track it). */
	done: Array<{ resolve: (run: IRun) => void } | undefined>;
	/** Resolves on the next emit. */
	nextEmit(): Promise<INodeExecutionData[]>;
	start(): Promise<ITriggerResponse>;
}

export interface FakeTriggerOptions {
	credential: ICredentialDataDecryptedObject;
	parameters: Record<string, unknown>;
	mode?: 'trigger' | 'manual';
	workflowId?: string;
	nodeName?: string;
}

/**
 * ITriggerFunctions as n8n hands them to `trigger()`, mocked with jest-mock-extended: parameters,
 * credential, mode, workflow, `emit` (recorded), `prepareBinaryData`, a logger (recorded).
 */
export function fakeTrigger(options: FakeTriggerOptions): FakeTrigger {
	const prepareBinaryData = jest.fn(async (data: Buffer, fileName?: string, mimeType?: string) => ({
		data: data.toString('base64'),
		fileName,
		mimeType: mimeType ?? '',
		fileSize: String(data.length),
	}));
	const fns = mock<ITriggerFunctions>({
		helpers: { prepareBinaryData } as never,
		logger: mock<ITriggerFunctions['logger']>(),
	});
	const node = mock<INode>({ name: options.nodeName ?? 'WeHub Trigger' });
	fns.getNode.mockReturnValue(node);
	fns.getMode.mockReturnValue(options.mode ?? 'trigger');
	fns.getWorkflow.mockReturnValue({ id: options.workflowId ?? 'wf-orders', active: true });
	fns.getCredentials.mockResolvedValue(options.credential);
	fns.getNodeParameter.mockImplementation(((name: string, fallback: unknown) =>
		name in options.parameters ? options.parameters[name] : fallback) as never);
	const emitted: INodeExecutionData[][] = [];
	const done: FakeTrigger['done'] = [];
	const waiters: Array<(items: INodeExecutionData[]) => void> = [];
	fns.emit.mockImplementation((data, _response, donePromise) => {
		emitted.push(data[0]);
		done.push(donePromise as FakeTrigger['done'][number]);
		waiters.splice(0).forEach((wake) => wake(data[0]));
	});
	return {
		fns,
		emitted,
		done,
		nextEmit: async () => await new Promise((resolve) => waiters.push(resolve)),
		start: async () => await startListenerTrigger(fns),
	};
}

/** Listener-mode parameters of the WeHub Trigger, with the given port and overrides. */
export function listenerParameters(
	port: number,
	overrides: Record<string, unknown> = {},
	listenerOptions: Record<string, unknown> = {},
): Record<string, unknown> {
	return {
		receiveVia: 'listener',
		path: 'wehub',
		listenerHost: '127.0.0.1',
		listenerPort: port,
		events: ['*'],
		listenerOptions,
		...overrides,
	};
}

export interface HttpAnswer {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
	json<T = Record<string, unknown>>(): T;
}

/** One real HTTP request to the listener (no keep-alive unless an agent is given). */
export async function call(
	port: number,
	method: string,
	path: string,
	body?: Buffer | string,
	headers: Record<string, string> = {},
	agent?: Agent,
): Promise<HttpAnswer> {
	return await new Promise((resolve, reject) => {
		const req = httpRequest(
			{ host: '127.0.0.1', port, method, path, headers, agent: agent ?? false },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => {
					const raw = Buffer.concat(chunks);
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: raw,
						json: <T>() => JSON.parse(raw.toString('utf8')) as T,
					});
				});
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

/** POSTs a WeHub callback body as WeHub does (JSON). */
export async function post(port: number, body: Buffer | string | object, agent?: Agent) {
	const text = typeof body === 'object' && !Buffer.isBuffer(body) ? JSON.stringify(body) : body;
	return await call(port, 'POST', '/wehub', text, { 'content-type': 'application/json' }, agent);
}

/** Whether something accepts TCP connections on the port (activation on n8n 2.x is asynchronous). */
export async function portIsOpen(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

export async function waitForPort(port: number, open = true, timeoutMs = 5_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while ((await portIsOpen(port)) !== open) {
		if (Date.now() > deadline) throw new Error(`port ${port} did not ${open ? 'open' : 'close'}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}
