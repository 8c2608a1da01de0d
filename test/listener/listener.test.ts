import FormData from 'form-data';
import type { ITriggerResponse } from 'n8n-workflow';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';

import { activeListenerAddresses } from '../../nodes/WeHub/listener/listenerRegistry';
import type { WeHubTask } from '../../nodes/WeHub/protocol/types';
import { MEDIA_BASE_URL_SETTING } from '../../nodes/WeHub/shared/mediaBaseUrl';
import { BOT_WXID, readFixture } from '../protocol/fixtures';
import {
	APPID,
	call,
	fakeTrigger,
	freePort,
	listenerParameters,
	portIsOpen,
	post,
	TempStores,
	waitForPort,
	type FakeTrigger,
} from './harness';

const sendText: WeHubTask = {
	task_type: 1,
	task_dict: {
		wxid_to: 'wxid_alice6a8kd2',
		at_list: [],
		msg_list: [{ msg_type: 1, msg: '收到，马上处理' }],
	},
};

describe('WeHub listener (Receive Via: Own Listener)', () => {
	const stores = new TempStores();
	/** closeFunctions still to run after each test, so no port outlives its test. */
	let open: ITriggerResponse[] = [];

	async function startListener(
		parameters: (port: number) => Record<string, unknown> = (port) => listenerParameters(port),
		extra: Partial<Parameters<typeof fakeTrigger>[0]> = {},
	) {
		const port = await freePort();
		const credential = stores.credential();
		const trigger = fakeTrigger({ credential, parameters: parameters(port), ...extra });
		const response = await trigger.start();
		open.push(response);
		await waitForPort(port);
		return { port, credential, trigger, response, store: await stores.open(credential) };
	}

	afterEach(async () => {
		await Promise.all(open.map(async (r) => await r.closeFunction?.()));
		open = [];
		expect(activeListenerAddresses()).toEqual([]);
	});
	afterAll(async () => await stores.cleanUp());

	describe('answers WeHub like webhook mode', () => {
		it('acks login, a message and logout with the ack types of a 0.1.5 client', async () => {
			const { port } = await startListener();
			const login = await post(port, readFixture('requests', 'login.0.1.5.json'));
			const message = await post(port, readFixture('requests', 'report_new_msg.text.private.json'));
			const logout = await post(port, readFixture('requests', 'logout.0.1.5.json'));

			expect([login.status, message.status, logout.status]).toEqual([200, 200, 200]);
			expect(login.headers['content-type']).toBe('application/json; charset=utf-8');
			expect(login.json()).toEqual({
				error_code: 0,
				error_reason: '',
				ack_type: 'login_ack',
				data: {},
			});
			expect(message.json()).toMatchObject({ error_code: 0, ack_type: 'report_new_msg_ack' });
			expect(logout.json()).toMatchObject({ error_code: 0, ack_type: 'logout_ack' });
		});

		it('hands a queued task to pull_task and starts no execution', async () => {
			const { port, store, trigger } = await startListener();
			const queued = await store.enqueue({ appid: APPID, wxid: BOT_WXID }, sendText);

			const first = await post(port, readFixture('requests', 'pull_task.json'));
			const second = await post(port, readFixture('requests', 'pull_task.json'));

			expect(first.json()).toEqual({
				error_code: 0,
				error_reason: '',
				ack_type: 'pull_task_ack',
				data: { task_id: queued.task_id, task_data: sendText },
			});
			expect(second.json()).toMatchObject({ ack_type: 'pull_task_ack', data: {} });
			expect((await store.get(APPID, queued.task_id))?.state).toBe('handed_out');
			expect(trigger.fns.emit).not.toHaveBeenCalled();
		});

		it('starts an execution with the message item after answering', async () => {
			const { port, trigger } = await startListener();
			const emitted = trigger.nextEmit();
			const answer = await post(port, readFixture('requests', 'report_new_msg.text.private.json'));

			expect(answer.json()).toMatchObject({ error_code: 0 });
			const items = await emitted;
			expect(items).toHaveLength(1);
			expect(items[0].json).toMatchObject({
				event: 'message',
				appid: APPID,
				bot_wxid: BOT_WXID,
				kind: 'text',
				text: '你好，请问 n8n 怎么接入 WeHub？',
				reply_to: 'wxid_alice6a8kd2',
			});
		});

		it('starts nothing for events the user did not pick, but still answers', async () => {
			const { port, trigger } = await startListener((p) =>
				listenerParameters(p, { events: ['friend_request'] }),
			);
			const answer = await post(port, readFixture('requests', 'report_new_msg.text.private.json'));
			// The fixture carries msg_id, which only 0.2+ clients send.
			expect(answer.json()).toMatchObject({ error_code: 0, ack_type: 'common_ack' });
			expect(trigger.fns.emit).not.toHaveBeenCalled();
		});

		it('answers a malformed body with an HTTP 200 ack saying 400, and an unknown URL with a 404', async () => {
			const { port } = await startListener();
			const malformed = await post(port, '{"action": "report_new_msg", "appid": ');
			const unknown = await call(port, 'POST', '/wp-login.php', 'x');
			const wrongMethod = await call(port, 'GET', '/wehub');

			expect(malformed.status).toBe(200);
			expect(malformed.json()).toMatchObject({ error_code: 400, ack_type: 'common_ack' });
			// Not a WeHub URL: nothing WeHub reads, so the status says it.
			expect(unknown.status).toBe(404);
			expect(unknown.json()).toMatchObject({ error_code: 404, ack_type: 'common_ack' });
			expect(wrongMethod.status).toBe(200);
			expect(wrongMethod.json()).toMatchObject({ error_code: 405 });
			expect(wrongMethod.headers.allow).toBe('POST');
		});

		it('answers a foreign appid and a refused upload with HTTP 200, error_code saying why', async () => {
			const { port } = await startListener();
			const foreign = await post(
				port,
				JSON.stringify({ action: 'pull_task', appid: 'wh_other', wxid: BOT_WXID, data: {} }),
			);
			expect(foreign.status).toBe(200);
			expect(foreign.json()).toMatchObject({ error_code: 403, ack_type: 'pull_task_ack' });

			const form = new FormData();
			form.append('file_index', 'never-announced');
			form.append('file', Buffer.from([0xff, 0xd8, 0xff]), { filename: 'a.jpg' });
			const upload = await call(
				port,
				'POST',
				'/wehub/upload',
				form.getBuffer(),
				form.getHeaders() as Record<string, string>,
			);
			expect(upload.status).toBe(200);
			expect(upload.json()).toMatchObject({ error_code: 404, ack_type: 'upload_file_ack' });
		});

		it('takes an announced upload and emits it as binary data', async () => {
			const { port, trigger } = await startListener();
			const announced = readFixture('requests', 'report_new_msg.image.room.json');
			const fileIndex = (
				JSON.parse(announced.toString()) as { data: { msg: { file_index: string } } }
			).data.msg.file_index;
			const messageEmitted = trigger.nextEmit();
			await post(port, announced);
			await messageEmitted;

			const image = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)]);
			const form = new FormData();
			form.append('file_index', fileIndex);
			form.append('file', image, {
				filename: 'IMG_20261120_083000.jpg',
				contentType: 'image/jpeg',
			});
			const uploadEmitted = trigger.nextEmit();
			const answer = await call(port, 'POST', '/wehub/upload', form.getBuffer(), form.getHeaders());

			expect(answer.json()).toEqual({
				error_code: 0,
				error_reason: '',
				ack_type: 'upload_file_ack',
				file_index: fileIndex,
				data: {},
			});
			const [item] = await uploadEmitted;
			expect(item.json).toMatchObject({
				event: 'file_uploaded',
				file_index: fileIndex,
				kind: 'image',
			});
			expect(item.binary?.data).toMatchObject({
				fileName: 'IMG_20261120_083000.jpg',
				mimeType: 'image/jpeg',
				data: image.toString('base64'),
			});
		});

		it('serves media the action node stored and records the media URL of the listener', async () => {
			const { port, store } = await startListener((p) =>
				listenerParameters(p, {}, { publicUrl: 'https://wehub-in.example.com/wehub/' }),
			);
			const poster = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
			await store.putMedia({
				id: 'm7Kp2xQ9',
				appid: APPID,
				mime_type: 'image/png',
				file_name: '活动海报.png',
				data: poster,
				created_at: Date.now(),
				expires_at: Date.now() + 3_600_000,
			});

			const media = await call(port, 'GET', '/wehub/media/m7Kp2xQ9.png');
			const missing = await call(port, 'GET', '/wehub/media/nothing-here');

			expect(media.status).toBe(200);
			expect(media.headers['content-type']).toBe('image/png');
			expect(media.body).toEqual(poster);
			expect(missing.status).toBe(404);
			expect(missing.json()).toMatchObject({ error_code: 404, ack_type: 'common_ack' });
			expect(await store.getSetting(APPID, MEDIA_BASE_URL_SETTING)).toBe(
				'https://wehub-in.example.com/wehub/media',
			);
		});

		it('defaults the media URL to http://<host>:<port>/<path>/media', async () => {
			const { port, store } = await startListener();
			expect(await store.getSetting(APPID, MEDIA_BASE_URL_SETTING)).toBe(
				`http://127.0.0.1:${port}/wehub/media`,
			);
		});

		it('answers /healthz for a load balancer', async () => {
			const { port } = await startListener();
			const health = await call(port, 'GET', '/healthz');
			expect(health.status).toBe(200);
			expect(health.json()).toMatchObject({ error_code: 0, data: { status: 'ok' } });
		});
	});

	describe('protects itself', () => {
		it('refuses a body over the limit with an HTTP 200 ack saying 413', async () => {
			const { port } = await startListener((p) => listenerParameters(p, {}, { maxBodySizeMb: 1 }));
			const contacts = JSON.stringify({
				action: 'report_contact',
				appid: APPID,
				wxid: BOT_WXID,
				data: { friend_list: [], padding: 'x'.repeat(1.5 * 1024 * 1024) },
			});
			const answer = await post(port, contacts);
			expect(answer.status).toBe(200);
			expect(answer.json()).toMatchObject({ error_code: 413, ack_type: 'common_ack' });
		});

		it('refuses addresses outside the allow-list with an HTTP 200 ack saying 403', async () => {
			const blocked = await startListener((p) =>
				listenerParameters(p, {}, { allowedIps: '10.0.0.0/8, 192.168.1.20' }),
			);
			const allowed = await startListener(
				(p) =>
					listenerParameters(p, { path: 'wehub' }, { allowedIps: '192.168.1.20, 127.0.0.1/32' }),
				{ workflowId: 'wf-second' },
			);

			const refused = await post(blocked.port, readFixture('requests', 'pull_task.json'));
			const accepted = await post(allowed.port, readFixture('requests', 'pull_task.json'));

			expect(refused.status).toBe(200);
			expect(refused.json()).toMatchObject({ error_code: 403, ack_type: 'common_ack' });
			expect(accepted.json()).toMatchObject({ error_code: 0, ack_type: 'pull_task_ack' });
		});

		it('fails activation on a malformed allow-list entry', async () => {
			const port = await freePort();
			const trigger = fakeTrigger({
				credential: stores.credential(),
				parameters: listenerParameters(port, {}, { allowedIps: '10.0.0.0/33' }),
			});
			await expect(trigger.start()).rejects.toThrow(
				'"10.0.0.0/33" is not an IP address or CIDR range',
			);
			expect(await portIsOpen(port)).toBe(false);
		});

		it('refuses requests beyond the concurrency limit with an HTTP 200 ack saying 503', async () => {
			const { port } = await startListener((p) =>
				listenerParameters(p, {}, { maxConcurrentRequests: 1 }),
			);
			// A request whose body never finishes keeps the only slot busy.
			const slow = httpRequest({
				host: '127.0.0.1',
				port,
				method: 'POST',
				path: '/wehub',
				agent: false,
				headers: { 'content-type': 'application/json', 'content-length': '1000' },
			});
			slow.on('error', () => undefined);
			slow.write('{"action": "report_contact", ');
			await new Promise((r) => setTimeout(r, 100));

			const answer = await post(port, readFixture('requests', 'pull_task.json'));
			expect(answer.status).toBe(200);
			expect(answer.json()).toMatchObject({ error_code: 503, ack_type: 'common_ack' });
			slow.destroy();
		});

		it('holds the ack while every execution slot is busy, and releases it when one ends', async () => {
			const { port, trigger } = await startListener((p) =>
				listenerParameters(p, {}, { maxRunningExecutions: 1 }),
			);
			const message = readFixture('requests', 'report_new_msg.text.private.json');
			await post(port, message);
			expect(trigger.done[0]).toBeDefined();

			let secondAnswered = false;
			const second = post(port, message).then((answer) => {
				secondAnswered = true;
				return answer;
			});
			await new Promise((r) => setTimeout(r, 300));
			expect(secondAnswered).toBe(false);
			expect(trigger.emitted).toHaveLength(1);

			trigger.done[0]!.resolve({} as never);
			expect((await second).json()).toMatchObject({ error_code: 0 });
			expect(trigger.emitted).toHaveLength(2);
		});
	});

	describe('activation pitfalls', () => {
		it('fails loudly, naming host:port, when another program holds the port', async () => {
			const port = await freePort();
			const squatter = createServer();
			await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
			try {
				const trigger = fakeTrigger({
					credential: stores.credential(),
					parameters: listenerParameters(port),
				});
				const failure = trigger.start();
				await expect(failure).rejects.toThrow(
					`The WeHub listener cannot listen on 127.0.0.1:${port}: another program`,
				);
				await expect(failure).rejects.toMatchObject({
					name: 'NodeOperationError',
					description: expect.stringContaining('Change the Port'),
				});
			} finally {
				await new Promise((r) => squatter.close(r));
			}
		});

		it('refuses a port held by the listener of another workflow', async () => {
			const { port, credential } = await startListener();
			const other = fakeTrigger({
				credential,
				parameters: listenerParameters(port),
				workflowId: 'wf-support',
			});
			await expect(other.start()).rejects.toThrow(
				`the WeHub Trigger "WeHub Trigger" of workflow wf-orders already listens there`,
			);
		});

		it('lets "Execute workflow" join the active listener and receive the next event', async () => {
			const active = await startListener();
			const manual = fakeTrigger({
				credential: active.credential,
				parameters: listenerParameters(active.port),
				mode: 'manual',
			});
			// n8n closes a manual run right after its first emit: the ack must already be on its way.
			const run: { response?: ITriggerResponse } = {};
			manual.fns.emit.mockImplementation(() => void run.response?.closeFunction?.());
			run.response = await manual.start();

			const productionEmit = active.trigger.nextEmit();
			const answer = await post(
				active.port,
				readFixture('requests', 'report_new_msg.text.private.json'),
			);

			expect(answer.json()).toMatchObject({ error_code: 0 });
			await productionEmit;
			expect(manual.fns.emit).toHaveBeenCalledTimes(1);
			expect(manual.fns.emit.mock.calls[0][0][0][0].json).toMatchObject({ event: 'message' });
			// The manual run left; the active workflow keeps listening.
			const next = await post(active.port, readFixture('requests', 'pull_task.json'));
			expect(next.json()).toMatchObject({ ack_type: 'pull_task_ack' });
			expect(manual.fns.emit).toHaveBeenCalledTimes(1);
		});

		it('binds for a manual run when nothing listens, answers, and frees the port when n8n closes it', async () => {
			const port = await freePort();
			const credential = stores.credential();
			const manual = fakeTrigger({
				credential,
				parameters: listenerParameters(port),
				mode: 'manual',
			});
			const run: { response?: ITriggerResponse; closed?: Promise<void> } = {};
			manual.fns.emit.mockImplementation(() => {
				run.closed = run.response?.closeFunction?.();
			});
			run.response = await manual.start();
			await waitForPort(port);

			const answer = await post(port, readFixture('requests', 'report_new_msg.text.private.json'));
			// The fixture carries msg_id, which only 0.2+ clients send.
			expect(answer.json()).toMatchObject({ error_code: 0, ack_type: 'common_ack' });
			await run.closed;
			expect(await portIsOpen(port)).toBe(false);
			// A manual run never replaces the production media URL; it fills it only when none exists.
			const store = await stores.open(credential);
			expect(await store.getSetting(APPID, MEDIA_BASE_URL_SETTING)).toBe(
				`http://127.0.0.1:${port}/wehub/media`,
			);
		});
	});

	describe('shutdown (deactivation)', () => {
		it('answers a request still being received, then frees the port', async () => {
			const { port, response } = await startListener();
			const body = readFixture('requests', 'report_new_msg.text.private.json');
			const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
				const req = httpRequest(
					{
						host: '127.0.0.1',
						port,
						method: 'POST',
						path: '/wehub',
						agent: false,
						headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
					},
					(res) => {
						let text = '';
						res.on('data', (chunk: Buffer) => (text += chunk.toString()));
						res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
					},
				);
				req.on('error', reject);
				req.write(body.subarray(0, 40));
				setTimeout(() => req.end(body.subarray(40)), 200);
			});
			await new Promise((r) => setTimeout(r, 50));

			const closing = response.closeFunction!();
			open = [];
			const answered = await answer;
			await closing;

			expect(answered.status).toBe(200);
			expect(JSON.parse(answered.text)).toMatchObject({ error_code: 0 });
			expect(await portIsOpen(port)).toBe(false);
		});

		it('releases held acks at once instead of waiting for a slot', async () => {
			const { port, response, trigger } = await startListener((p) =>
				listenerParameters(p, {}, { maxRunningExecutions: 1 }),
			);
			const message = readFixture('requests', 'report_new_msg.text.private.json');
			await post(port, message);
			const held = post(port, message);
			await new Promise((r) => setTimeout(r, 100));

			open = [];
			await response.closeFunction!();
			expect((await held).json()).toMatchObject({ error_code: 0 });
			expect(trigger.emitted).toHaveLength(2);
		});

		it('closes idle keep-alive sockets so the port is freed at once', async () => {
			const { port, response } = await startListener();
			const agent = new Agent({ keepAlive: true, maxSockets: 1 });
			const first = await post(port, readFixture('requests', 'pull_task.json'), agent);
			expect(first.headers.connection).toBe('keep-alive');
			const socketClosed = new Promise<void>((resolve) => {
				const [socket] = Object.values(agent.freeSockets).flat();
				socket!.once('close', () => resolve());
			});

			const started = Date.now();
			open = [];
			await response.closeFunction!();
			await socketClosed;

			expect(Date.now() - started).toBeLessThan(1_000);
			expect(await portIsOpen(port)).toBe(false);
			agent.destroy();
		});
	});
});

export type { FakeTrigger };
