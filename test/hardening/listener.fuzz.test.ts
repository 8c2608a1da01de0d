import fc from 'fast-check';
import type { ITriggerResponse } from 'n8n-workflow';
import { Agent, request as httpRequest } from 'node:http';

import { readFixture } from '../protocol/fixtures';
import {
	call,
	fakeTrigger,
	freePort,
	listenerParameters,
	post,
	TempStores,
	waitForPort,
} from '../listener/harness';
import { anyBody, type HostileBody } from './hostileBodies';
import {
	elapsedMsAsync,
	expectNoPollution,
	errorCodeOf,
	expectWellFormedAck,
	MAX_INPUT_MS,
	prototypeSnapshot,
} from './invariants';

/**
 * The own listener over real HTTP (keep-alive, as WeHub polls): hostile bodies, oversized and
 * truncated requests, each answered with WeHub-shaped JSON while the listener stays usable.
 */

const pristine = prototypeSnapshot();
const stores = new TempStores();
let port: number;
let running: ITriggerResponse;

beforeAll(async () => {
	port = await freePort();
	const trigger = fakeTrigger({
		credential: stores.credential(),
		// No execution slots: the fake n8n never finishes executions, which would hold acks.
		parameters: listenerParameters(port, {}, { maxBodySizeMb: 1, maxRunningExecutions: 0 }),
	});
	running = await trigger.start();
	await waitForPort(port);
});
afterAll(async () => {
	await running.closeFunction?.();
	await stores.cleanUp();
});

describe('the own listener under fuzzing', () => {
	it('answers 200 hostile bodies over one keep-alive connection with JSON acks', async () => {
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		try {
			await fc.assert(
				fc.asyncProperty(anyBody, async ({ body }: HostileBody) => {
					let answer: Awaited<ReturnType<typeof post>> | undefined;
					const ms = await elapsedMsAsync(async () => {
						answer = await post(port, body, agent);
					});
					expect(ms).toBeLessThan(MAX_INPUT_MS);
					expect(answer!.headers['content-type']).toMatch(/^application\/json/);
					// error_code 413: a body over the listener's 1 MB limit (the deep-nesting mutations).
					expectWellFormedAck(answer!.json(), answer!.status);
					expect(errorCodeOf(answer!.json())).not.toBe(500);
					expectNoPollution(pristine);
				}),
				{ numRuns: 200 },
			);
		} finally {
			agent.destroy();
		}
	}, 120_000);

	it('answers a body over the limit with an ack saying 413 without reading it all', async () => {
		const answer = await call(port, 'POST', '/wehub', Buffer.alloc(3 * 1024 * 1024, 0x7b), {
			'content-type': 'application/json',
		});
		expectWellFormedAck(answer.json(), answer.status);
		expect(errorCodeOf(answer.json())).toBe(413);
	});

	it('answers a chunked body that grows past the limit with an ack saying 413', async () => {
		const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
			const req = httpRequest(
				{ host: '127.0.0.1', port, method: 'POST', path: '/wehub', agent: false },
				(res) => {
					let text = '';
					res.on('data', (chunk: Buffer) => (text += chunk.toString()));
					res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
				},
			);
			req.on('error', reject);
			// No content-length: the listener must count bytes itself.
			for (let i = 0; i < 40; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
			req.end();
		});
		expectWellFormedAck(JSON.parse(answer.body), answer.status);
		expect(errorCodeOf(JSON.parse(answer.body))).toBe(413);
	});

	it('stays usable after a client drops a request half-way', async () => {
		await new Promise<void>((resolve) => {
			const req = httpRequest({
				host: '127.0.0.1',
				port,
				method: 'POST',
				path: '/wehub',
				agent: false,
				headers: { 'content-type': 'application/json', 'content-length': '5000' },
			});
			req.on('error', () => resolve());
			req.write('{"action":"report_new_msg","appid":"wh_appid_3f9c2a","wxid":');
			setTimeout(() => {
				req.destroy();
				resolve();
			}, 50);
		});
		const answer = await post(port, readFixture('requests', 'pull_task.json'));
		expect(answer.status).toBe(200);
		expect(answer.json()).toMatchObject({ error_code: 0, ack_type: 'pull_task_ack' });
	});
});
