import { main } from '../../sim/cli';
import { parseCliArgs, UsageError } from '../../sim/cliArgs';
import { createBots, loginBots } from '../../sim/runBots';
import { parseScenario, runScenario } from '../../sim/scenario';
import {
	ProtocolViolationError,
	WeHubSimulator,
	type SimulatorOptions,
} from '../../sim/WeHubSimulator';
import {
	startFakeCallback,
	type FakeCallbackOptions,
	type FakeCallbackServer,
} from './fakeCallbackServer';

const SECRET = 'demo-secret';
let server: FakeCallbackServer;
const simulators: WeHubSimulator[] = [];

function simulator(options: Partial<SimulatorOptions> = {}): WeHubSimulator {
	const sim = new WeHubSimulator({
		callbackUrl: server.url,
		appid: 'demo-appid',
		wxid: 'wxid_bot1',
		secretKey: SECRET,
		pollIntervalMs: 20,
		reconnectDelaysMs: [20, 40],
		seed: 42,
		...options,
	});
	simulators.push(sim);
	return sim;
}

async function restart(options: FakeCallbackOptions): Promise<void> {
	await server.close();
	server = await startFakeCallback({ secretKey: SECRET, webSocket: {}, ...options });
}

const pong = (wxid_to: string) => ({
	task_type: 1,
	task_dict: { wxid_to, at_list: [], msg_list: [{ msg_type: 1, msg: 'pong' }] },
});

beforeEach(async () => {
	server = await startFakeCallback({ secretKey: SECRET, webSocket: {} });
});

afterEach(async () => {
	await Promise.all(simulators.splice(0).map(async (sim) => await sim.close()));
	await server.close();
});

describe('following extension_protocol', () => {
	it('opens the ws_url of the login_ack exactly as given, query string included', async () => {
		const sim = simulator();
		const login = await sim.login();
		expect(login.ok).toBe(true);
		const [handedOut] = server.ws.handedOut;
		expect(handedOut).toMatch(
			/^ws:\/\/127\.0\.0\.1:\d+\/webhook\/wehub\/ws\?wxid=wxid_bot1&token=t1$/,
		);
		expect(server.ws.upgrades).toEqual([
			{ url: handedOut.replace(/^ws:\/\/[^/]+/, ''), wxid: 'wxid_bot1', status: 101 },
		]);
		expect(sim.webSocket).toEqual({ url: handedOut, heartbeatIntervalMs: 30_000, connected: true });
		expect(sim.summary()).toMatchObject({ transport: 'websocket', violations: 0 });
		// The login itself went over HTTP.
		expect(server.requestsFor('login').map((r) => r.transport)).toEqual(['http']);
	});

	it('lets go of its kept-alive HTTP connection once on the socket', async () => {
		const sim = simulator();
		await sim.login();
		await waitFor(() => server.httpConnections() === 0);
		expect(server.ws.openSockets('wxid_bot1')).toBe(1);
	});

	it('sends a message over the socket as a frame and gets its ack, with client_session', async () => {
		const sim = simulator();
		await sim.login();
		const sent = await sim.sendMessage('text', { text: 'ping' });
		expect(sent).toMatchObject({ ok: true, ack: { ack_type: 'common_ack', error_code: 0 } });
		const [frame] = server.requestsFor('report_new_msg');
		expect(frame.transport).toBe('websocket');
		expect(Object.keys(frame.body)).toEqual(['action', 'appid', 'wxid', 'data', 'client_session']);
		expect(frame.body.client_session).toBe(server.requestsFor('login')[0].body.client_session);
		expect(sim.stats).toMatchObject({ framesSent: 1, polls: 0, requests: 2 });
		expect(sim.stats.latenciesMs).toHaveLength(2);
		expect(sim.violations).toEqual([]);
	});

	it('sends no client_session in frames as client 0.4.2, as over HTTP', async () => {
		const sim = simulator({ clientVersion: '0.4.2' });
		await sim.login();
		await sim.reportContact({ friends: 2, groups: 1 });
		expect(server.requestsFor('report_contact')[0]).toMatchObject({ transport: 'websocket' });
		expect(server.requestsFor('report_contact')[0].body).not.toHaveProperty('client_session');
	});

	it('executes reply_task_list tasks of an ack frame without reporting them back', async () => {
		await restart({
			replyTasks: (request) =>
				request.action === 'report_new_msg'
					? [pong(String((request.data.msg as Record<string, unknown>).wxid_from))]
					: undefined,
		});
		const sim = simulator();
		await sim.login();
		const sent = await sim.sendMessage('text', { text: 'ping' });
		expect(sent.replyTasks).toEqual([
			expect.objectContaining({ source: 'reply_task_list', via: 'report_new_msg' }),
		]);
		expect(server.requestsFor('report_task_result')).toEqual([]);
	});

	it('checks ack frames as it checks HTTP answers', async () => {
		await restart({
			editAck: (request, ack) => {
				if (request.action === 'report_new_msg') ack.ack_type = 'report_new_msg_ack';
			},
		});
		const sim = simulator();
		await sim.login();
		expect((await sim.sendMessage('text')).ok).toBe(false);
		expect(sim.violations.map((v) => `${v.action}: ${v.problem}`)).toEqual([
			'report_new_msg: ack_type is "report_new_msg_ack", client 0.4.26 expects "common_ack"',
		]);
	});

	it('records a frame nobody answers once the answer timeout has passed', async () => {
		await restart({
			rawAnswer: (request) => (request.action === 'report_new_msg' ? null : undefined),
		});
		const sim = simulator({ timeoutMs: 150 });
		await sim.login();
		const started = Date.now();
		const sent = await sim.sendMessage('text');
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect(sent.ok).toBe(false);
		expect(sim.violations.map((v) => v.problem)).toEqual(['no answer: no answer within 150 ms']);
		expect((await sim.newFriend()).ok).toBe(true);
	});

	it.each([
		[
			{ type: 'websocket', param: { ws_url: 'http://127.0.0.1/ws' } },
			/ws_url is "http:.*expected a ws:\/\/ or wss:\/\/ URL/,
		],
		[{ type: 'websocket' }, /extension_protocol.param is missing/],
		['websocket', /extension_protocol is not an object/],
	])(
		'stays on HTTP and records a violation for extension_protocol %j',
		async (extension, problem) => {
			await restart({
				editAck: (request, ack) => {
					if (request.action === 'login')
						(ack.data as Record<string, unknown>).extension_protocol = extension;
				},
			});
			const sim = simulator();
			expect((await sim.login()).ok).toBe(true);
			expect(sim.webSocket).toBeUndefined();
			expect(sim.violations.map((v) => v.problem)).toEqual([expect.stringMatching(problem)]);
			await sim.pollOnce();
			expect(server.requestsFor('pull_task')).toHaveLength(1);
		},
	);

	it('passes over an extension_protocol of another type', async () => {
		await restart({
			editAck: (request, ack) => {
				if (request.action === 'login')
					(ack.data as Record<string, unknown>).extension_protocol = { type: 'mqtt', param: {} };
			},
		});
		const sim = simulator();
		await sim.login();
		expect(sim.webSocket).toBeUndefined();
		expect(sim.violations).toEqual([]);
	});

	it('records a ws_url it cannot open and stays on HTTP', async () => {
		server.ws.refuseUpgrades(403);
		const sim = simulator();
		expect((await sim.login()).ok).toBe(true);
		expect(sim.webSocket).toBeUndefined();
		expect(sim.violations.map((v) => v.problem)).toEqual([
			expect.stringMatching(
				/^cannot open the WebSocket ws:.* refused with HTTP 403; staying on HTTP$/,
			),
		]);
		await sim.sendMessage('text');
		expect(server.requestsFor('report_new_msg')[0].transport).toBe('http');
	});
});

describe('heartbeats', () => {
	it('sends {"atcion": "heartbeat", appid, wxid, data: {}} on a timer, and the server answers nothing', async () => {
		const sim = simulator({ heartbeatIntervalMs: 30 });
		await sim.login();
		await waitFor(() => server.ws.heartbeats.length >= 3);
		expect(server.ws.heartbeats[0].body).toEqual({
			atcion: 'heartbeat',
			appid: 'demo-appid',
			wxid: 'wxid_bot1',
			data: {},
		});
		expect(Object.keys(server.ws.heartbeats[0].body)[0]).toBe('atcion');
		expect(sim.stats.heartbeatsSent).toBeGreaterThanOrEqual(3);
		expect(sim.stats.framesSent).toBe(sim.stats.heartbeatsSent);
		expect(sim.stats.pushesReceived).toBe(0);
		expect(sim.violations).toEqual([]);
	});

	it('keys the heartbeat "action" when asked to', async () => {
		const sim = simulator({ heartbeatKey: 'action' });
		await sim.login();
		expect(sim.sendHeartbeat()).toBe(true);
		await waitFor(() => server.ws.heartbeats.length === 1);
		expect(server.ws.heartbeats[0].body).toEqual({
			action: 'heartbeat',
			appid: 'demo-appid',
			wxid: 'wxid_bot1',
			data: {},
		});
	});

	it('takes its period from heartbeat_interval in seconds', async () => {
		await restart({ webSocket: { heartbeatInterval: 0.05 } });
		const sim = simulator();
		await sim.login();
		expect(sim.webSocket?.heartbeatIntervalMs).toBe(50);
		await waitFor(() => server.ws.heartbeats.length >= 2);
	});

	it('stops its heartbeat when closed', async () => {
		const sim = simulator({ heartbeatIntervalMs: 20 });
		await sim.login();
		await waitFor(() => server.ws.heartbeats.length >= 1);
		await sim.close();
		const sent = sim.stats.heartbeatsSent;
		await sleep(80);
		expect(sim.stats.heartbeatsSent).toBe(sent);
		expect(sim.sendHeartbeat()).toBe(false);
	});
});

describe('pushed tasks', () => {
	it('executes a pushed task and reports it over the socket, with no pull_task sent', async () => {
		const sim = simulator();
		await sim.login();
		await sim.reportContact({ friends: 3, groups: 1 });
		const room = sim.contacts.groups[0].wxid;
		const taskId = server.ws.push('wxid_bot1', pong(room));

		const task = await sim.nextPushedTask();

		expect(task).toMatchObject({
			task_id: taskId,
			source: 'push',
			via: 'push',
			task_type: 1,
			result: { success: true, reason: '' },
		});
		expect(sim.sentTexts()).toEqual([expect.objectContaining({ to: room, text: 'pong' })]);
		expect(server.requestsFor('report_task_result')).toEqual([
			expect.objectContaining({
				transport: 'websocket',
				data: { task_id: taskId, task_result: 1, error_reason: '' },
			}),
		]);
		expect(server.requestsFor('pull_task')).toEqual([]);
		expect(sim.stats).toMatchObject({ polls: 0, pushesReceived: 1, tasksExecuted: 1 });
		expect(sim.violations).toEqual([]);
	});

	it('hands out a task pushed before nextPushedTask() was called, each task once, in order', async () => {
		const sim = simulator();
		await sim.login();
		const ids = [
			server.ws.push('wxid_bot1', pong('wxid_a')),
			server.ws.push('wxid_bot1', pong('wxid_b')),
		];
		await waitFor(() => server.requestsFor('report_task_result').length === 2);
		expect((await sim.nextPushedTask()).task_id).toBe(ids[0]);
		expect((await sim.nextPushedTask()).task_id).toBe(ids[1]);
		await expect(sim.nextPushedTask(50)).rejects.toThrow('wxid_bot1: no task pushed within 50 ms');
	});

	it('sends no pull_task while polling on the socket, and pushed tasks still run', async () => {
		const sim = simulator();
		await sim.login();
		sim.startPolling();
		await sleep(100);
		server.ws.push('wxid_bot1', pong('wxid_a'));
		await sim.nextPushedTask();
		await sim.stopPolling();
		expect(server.requestsFor('pull_task')).toEqual([]);
		expect(sim.stats.polls).toBe(0);
		await expect(sim.pollOnce()).rejects.toThrow(/on the WebSocket.*nextPushedTask/);
		expect(sim.stats.polls).toBe(0);
	});

	it('uploads the file behind a pushed task 9 to the HTTP upload URL', async () => {
		const sim = simulator();
		await sim.login();
		const image = await sim.sendMessage('image');
		const fileIndex = String(image.unit.file_index);
		server.ws.push('wxid_bot1', { task_type: 9, task_dict: { file_index: fileIndex } });
		const task = await sim.nextPushedTask();
		expect(task.result).toEqual({ success: true, reason: '' });
		expect(server.uploads).toEqual([
			expect.objectContaining({ fileIndex, mimeType: 'image/jpeg' }),
		]);
		expect(server.requestsFor('report_task_result')[0]).toMatchObject({
			transport: 'websocket',
			data: { task_result: 1 },
		});
		// The upload went on a connection of its own, closed afterwards.
		await waitFor(() => server.httpConnections() === 0);
	});

	it('answers a pushed task 4 with report_room_member_info over the socket before the result', async () => {
		const sim = simulator();
		await sim.login();
		await sim.reportContact({ friends: 4, groups: 2 });
		const room = sim.contacts.groups[1].wxid;
		server.ws.push('wxid_bot1', { task_type: 4, task_dict: { room_wxid_list: [room] } });
		await sim.nextPushedTask();
		const actions = server.requests.filter((r) => r.transport === 'websocket').map((r) => r.action);
		expect(actions).toEqual(['report_contact', 'report_room_member_info', 'report_task_result']);
	});

	it('executes the reply_task_list of a pushed common_ack without reporting it', async () => {
		const sim = simulator();
		await sim.login();
		server.ws.pushFrame('wxid_bot1', {
			error_code: 0,
			error_reason: '',
			ack_type: 'common_ack',
			data: { reply_task_list: [pong('wxid_a'), pong('wxid_b')] },
		});
		expect(await sim.nextPushedTask()).toMatchObject({ source: 'reply_task_list', via: 'push' });
		expect(await sim.nextPushedTask()).not.toHaveProperty('task_id');
		expect(sim.sentTexts().map((t) => t.to)).toEqual(['wxid_a', 'wxid_b']);
		expect(server.requestsFor('report_task_result')).toEqual([]);
		expect(sim.violations).toEqual([]);
	});

	it('counts a pushed task_id seen twice, as for polling', async () => {
		const sim = simulator();
		await sim.login();
		server.ws.push('wxid_bot1', pong('wxid_a'), 'same-id');
		server.ws.push('wxid_bot1', pong('wxid_a'), 'same-id');
		await sim.nextPushedTask();
		await sim.nextPushedTask();
		expect(sim.stats.duplicateTaskIds).toBe(1);
		expect(sim.violations.map((v) => `${v.action}: ${v.problem}`)).toEqual([
			'push: task_id same-id was handed out before',
		]);
	});

	it('shares seen task_ids between polling and pushes', async () => {
		const polled = server.enqueue(pong('wxid_a'), 'polled-1');
		const sim = simulator();
		await sim.pollOnce();
		await sim.login();
		server.ws.push('wxid_bot1', pong('wxid_a'), polled);
		await sim.nextPushedTask();
		expect(sim.stats.duplicateTaskIds).toBe(1);
	});

	it('reports a pushed task this client cannot read as failed, and records why', async () => {
		const sim = simulator();
		await sim.login();
		server.ws.push(
			'wxid_bot1',
			{
				task_type: 1,
				task_dict: { room_wxid: '', wxid: 'wxid_a', msg_list: [{ msg_type: 1, msg: 'hi' }] },
			},
			't-old',
		);
		await waitFor(() => server.requestsFor('report_task_result').length === 1);
		expect(server.requestsFor('report_task_result')[0].data).toMatchObject({
			task_id: 't-old',
			task_result: 0,
		});
		expect(sim.violations.map((v) => `${v.action}: ${v.problem}`)).toEqual([
			'push: task 1 lacks wxid_to, which client 0.4.26 reads',
		]);
	});

	it.each([
		['not JSON', 'success', 'answer is not JSON: "success"'],
		[
			'an ack of a request',
			{ error_code: 0, error_reason: '', ack_type: 'report_new_msg_ack', data: {} },
			'a "report_new_msg_ack" frame that answers no request (pushes are pull_task_ack or common_ack frames)',
		],
		[
			'a pull_task_ack without a task',
			{ error_code: 0, error_reason: '', ack_type: 'pull_task_ack', data: {} },
			'a pushed pull_task_ack without a task',
		],
		[
			'a common_ack without tasks',
			{ error_code: 0, error_reason: '', ack_type: 'common_ack', data: {} },
			'a common_ack frame that answers no request and carries no reply_task_list',
		],
		[
			'a pull_task_ack with a string error_code',
			{ error_code: '0', error_reason: '', ack_type: 'pull_task_ack', data: {} },
			'error_code is string, expected a number',
		],
	])('records a pushed frame that is %s', async (_case, frame, problem) => {
		const sim = simulator();
		await sim.login();
		server.ws.pushFrame('wxid_bot1', frame);
		await waitFor(() => sim.violations.length > 0);
		expect(sim.violations[0]).toMatchObject({ action: 'push', problem });
		expect(sim.tasks).toEqual([]);
	});

	it('records a binary frame: WeHub reads text frames', async () => {
		const sim = simulator();
		await sim.login();
		server.ws.pushFrame('wxid_bot1', { ack_type: 'pull_task_ack' }, { binary: true });
		await waitFor(() => sim.violations.length > 0);
		expect(sim.violations[0].problem).toBe('a binary frame: WeHub reads text frames only');
	});

	it('tells a push from the ack it awaits: pull_task_ack frames are always pushes', async () => {
		await restart({
			editAck: (request) => {
				// The server pushes a task just before answering this message.
				if (request.action === 'report_new_msg')
					server.ws.push('wxid_bot1', pong('wxid_a'), 'between-acks');
			},
		});
		const sim = simulator();
		await sim.login();
		const sent = await sim.sendMessage('text');
		expect(sent).toMatchObject({ ok: true, ack: { ack_type: 'common_ack' } });
		expect((await sim.nextPushedTask()).task_id).toBe('between-acks');
		expect(sim.violations).toEqual([]);
	});
});

describe('throwOnViolation', () => {
	it('fails the waiting nextPushedTask() and close() with the violation a push raised', async () => {
		const sim = simulator({ throwOnViolation: true });
		await sim.login();
		const waiting = sim.nextPushedTask();
		server.ws.pushFrame('wxid_bot1', 'success');
		await expect(waiting).rejects.toThrow(
			'WeHub protocol violation on push: answer is not JSON: "success"',
		);
		await expect(sim.close()).rejects.toBeInstanceOf(ProtocolViolationError);
		await expect(sim.close()).resolves.toBeUndefined();
	});
});

describe('older clients and refusals', () => {
	it('keeps polling over HTTP as client 0.4.1, told the same thing', async () => {
		const sim = simulator({ clientVersion: '0.4.1' });
		expect((await sim.login()).ok).toBe(true);
		expect(server.ws.handedOut).toHaveLength(1);
		expect(sim.webSocket).toBeUndefined();
		const taskId = server.enqueue(pong('wxid_a'));
		expect(await sim.pollOnce()).toMatchObject({ task_id: taskId, source: 'pull_task' });
		await sim.sendMessage('text');
		expect(server.ws.upgrades).toEqual([]);
		expect(server.requests.every((r) => r.transport === 'http')).toBe(true);
		expect(sim.stats).toMatchObject({ polls: 1, framesSent: 0, heartbeatsSent: 0 });
		expect(sim.violations).toEqual([]);
	});

	it('refuses the WebSocket with webSocket: false and keeps polling', async () => {
		const sim = simulator({ webSocket: false });
		await sim.login();
		expect(sim.webSocket).toBeUndefined();
		server.enqueue(pong('wxid_a'));
		sim.startPolling();
		await waitFor(() => sim.tasks.length === 1);
		await sim.stopPolling();
		expect(server.ws.upgrades).toEqual([]);
		expect(sim.stats.polls).toBeGreaterThan(0);
		expect(sim.summary()).toMatchObject({ transport: 'http', framesSent: 0 });
	});

	it('stays on HTTP when the login offers no socket', async () => {
		await restart({ webSocket: { offerTo: (request) => request.wxid !== 'wxid_bot1' } });
		const sim = simulator();
		await sim.login();
		expect(sim.webSocket).toBeUndefined();
		expect(server.ws.upgrades).toEqual([]);
	});
});

describe('dropped sockets', () => {
	it('reconnects to the same ws_url after the server drops the socket', async () => {
		const sim = simulator();
		await sim.login();
		const [url] = server.ws.handedOut;
		server.ws.drop('terminate');
		await waitFor(() => sim.stats.reconnects === 1 && sim.webSocket?.connected === true);
		expect(server.ws.upgrades.map((u) => u.url)).toEqual([
			url.replace(/^ws:\/\/[^/]+/, ''),
			url.replace(/^ws:\/\/[^/]+/, ''),
		]);
		expect(server.requestsFor('login')).toHaveLength(1);
		server.ws.push('wxid_bot1', pong('wxid_a'));
		await sim.nextPushedTask();
		expect((await sim.sendMessage('text')).ok).toBe(true);
		expect(server.requestsFor('report_new_msg')[0].transport).toBe('websocket');
		expect(sim.violations).toEqual([]);
	});

	it('reconnects after a clean close with 1001 going away', async () => {
		const sim = simulator();
		await sim.login();
		server.ws.drop(1001);
		await waitFor(() => sim.stats.reconnects === 1);
		expect(server.ws.openSockets('wxid_bot1')).toBe(1);
		expect(server.requestsFor('login')).toHaveLength(1);
	});

	it('keeps its heartbeat after reconnecting', async () => {
		const sim = simulator({ heartbeatIntervalMs: 20 });
		await sim.login();
		server.ws.drop('terminate');
		await waitFor(() => sim.stats.reconnects === 1);
		const before = server.ws.heartbeats.length;
		await waitFor(() => server.ws.heartbeats.length >= before + 2);
	});

	it('a message sent while reconnecting waits for the new socket', async () => {
		const sim = simulator({ reconnectDelaysMs: [80] });
		await sim.login();
		server.ws.drop('terminate');
		await waitFor(() => sim.webSocket?.connected === false);
		const sent = await sim.sendMessage('text');
		expect(sent.ok).toBe(true);
		expect(server.requestsFor('report_new_msg')[0].transport).toBe('websocket');
		expect(sim.stats.reconnects).toBe(1);
	});

	it.each([401, 403, 404])(
		'logs in again over HTTP when the upgrade is refused with %i, and follows the new ws_url',
		async (status) => {
			const sim = simulator();
			await sim.login();
			// The old token stops working (401); 403/404 refuse once, then the new login's URL works.
			if (status === 401) server.ws.revokeTokens();
			else server.ws.refuseUpgrades(status, 1);
			server.ws.drop('terminate');
			await waitFor(() => sim.stats.fallbackLogins === 1 && sim.webSocket?.connected === true);
			expect(server.requestsFor('login').map((r) => r.transport)).toEqual(['http', 'http']);
			expect(server.ws.upgrades.map((u) => u.status)).toEqual([101, status, 101]);
			expect(sim.webSocket?.url).toBe(server.ws.handedOut[1]);
			expect(sim.stats.reconnects).toBe(0);
			// A refused upgrade is not retried: straight to the new login.
			server.ws.push('wxid_bot1', pong('wxid_a'));
			await sim.nextPushedTask();
			expect(sim.violations).toEqual([]);
		},
	);

	it('logs in again over HTTP when every reconnection attempt fails', async () => {
		const sim = simulator({ reconnectDelaysMs: [10, 10, 10] });
		await sim.login();
		server.ws.refuseUpgrades(503, 3);
		server.ws.drop('terminate');
		await waitFor(() => sim.stats.fallbackLogins === 1 && sim.webSocket?.connected === true);
		expect(server.ws.upgrades.map((u) => u.status)).toEqual([101, 503, 503, 503, 101]);
		expect(server.requestsFor('login')).toHaveLength(2);
	});

	it('polls over HTTP again when the fallback login offers no socket', async () => {
		let offers = 0;
		await restart({ webSocket: { offerTo: () => offers++ === 0 } });
		const sim = simulator();
		await sim.login();
		sim.startPolling();
		server.ws.revokeTokens();
		server.ws.drop('terminate');
		await waitFor(() => server.requestsFor('pull_task').length >= 2);
		await sim.stopPolling();
		expect(sim.webSocket).toBeUndefined();
		expect(sim.stats.fallbackLogins).toBe(1);
		expect(sim.summary()).toMatchObject({ transport: 'http' });
	});
});

describe('closing', () => {
	it('close() closes the socket with 1000', async () => {
		const sim = simulator();
		await sim.login();
		await sim.close();
		await waitFor(() => server.ws.closedByClient.length === 1);
		expect(server.ws.closedByClient).toEqual([{ wxid: 'wxid_bot1', code: 1000 }]);
		expect(sim.webSocket).toBeUndefined();
		expect(sim.stats.reconnects).toBe(0);
	});

	it('logs out over the socket, then closes it and does not reconnect', async () => {
		const sim = simulator();
		await sim.login();
		const result = await sim.logout();
		expect(result).toMatchObject({ ok: true, ack: { ack_type: 'logout_ack' } });
		expect(server.requestsFor('logout')[0].transport).toBe('websocket');
		await waitFor(() => server.ws.closedByClient.length === 1);
		await sleep(80);
		expect(server.ws.upgrades).toHaveLength(1);
		expect(sim.webSocket).toBeUndefined();
	});

	it('a new login closes the old socket and opens the new ws_url', async () => {
		const sim = simulator();
		await sim.login();
		await sim.login();
		await waitFor(() => server.ws.closedByClient.length === 1);
		expect(server.ws.openSockets('wxid_bot1')).toBe(1);
		expect(sim.webSocket?.url).toBe(server.ws.handedOut[1]);
		expect(sim.stats.reconnects).toBe(0);
	});
});

describe('scenarios and the command line', () => {
	it('a poll step on the socket sends no pull_task and executes what is pushed', async () => {
		const sim = simulator();
		const scenario = parseScenario({
			steps: [{ login: {} }, { poll: { seconds: 0.3 } }, { logout: {} }],
		});
		const run = runScenario(sim, scenario);
		await waitFor(() => server.ws.openSockets('wxid_bot1') === 1);
		server.ws.push('wxid_bot1', pong('wxid_a'));
		expect(await run).toEqual({ completed: true });
		expect(sim.sentTexts().map((t) => t.text)).toEqual(['pong']);
		expect(server.requestsFor('pull_task')).toEqual([]);
		expect(server.requests.map((r) => `${r.action}/${r.transport}`)).toEqual([
			'login/http',
			'report_task_result/websocket',
			'logout/websocket',
		]);
	});

	it('parses --no-websocket and --heartbeat-key', () => {
		const base = ['--url', 'http://localhost:5678/webhook/wehub', '--appid', 'demo-appid'];
		expect(parseCliArgs(base)).toMatchObject({ webSocket: true, heartbeatKey: 'atcion' });
		expect(parseCliArgs([...base, '--no-websocket', '--heartbeat-key', 'action'])).toMatchObject({
			webSocket: false,
			heartbeatKey: 'action',
		});
		expect(() => parseCliArgs([...base, '--heartbeat-key', 'type'])).toThrow(
			new UsageError('--heartbeat-key is atcion or action, got "type"'),
		);
	});

	const cli = (extra: string[]) => [
		'--url',
		server.url,
		'--appid',
		'demo-appid',
		'--secret',
		SECRET,
		'--poll',
		'0.05',
		'--duration',
		'0.2',
		'--quiet',
		...extra,
	];

	it('wehub-sim follows the WebSocket and prints its figures', async () => {
		const out: string[] = [];
		expect(await main(cli([]), (l) => out.push(l))).toBe(0);
		expect(server.ws.upgrades).toHaveLength(1);
		expect(server.requestsFor('pull_task')).toEqual([]);
		expect(out.join('\n')).toMatch(
			/WebSocket: 2 frames sent \(0 heartbeats\), 0 pushes received, 0 reconnects, 0 fallback logins, 0 polls/,
		);
	});

	it('wehub-sim --no-websocket polls over HTTP and prints the summary it always did', async () => {
		const out: string[] = [];
		expect(await main(cli(['--no-websocket']), (l) => out.push(l))).toBe(0);
		expect(server.ws.upgrades).toEqual([]);
		expect(server.requestsFor('pull_task').length).toBeGreaterThan(0);
		expect(out.join('\n')).not.toMatch(/WebSocket:/);
	});
});

describe('many bots on sockets', () => {
	it('logs a fleet in a bounded number at a time; each bot holds only its socket', async () => {
		const bots = createBots(60, {
			callbackUrl: server.url,
			appid: 'demo-appid',
			wxid: 'wxid_fleet1',
			secretKey: SECRET,
		});
		simulators.push(...bots);
		const { loggedIn, failed } = await loginBots(bots, { concurrency: 8 });
		expect(failed).toEqual(new Map());
		expect(loggedIn).toHaveLength(60);
		expect(server.ws.openSockets()).toBe(60);
		await waitFor(() => server.httpConnections() === 0);
		for (const bot of bots.slice(0, 5)) server.ws.push(bot.wxid, pong('wxid_a'));
		await Promise.all(bots.slice(0, 5).map(async (bot) => await bot.nextPushedTask()));
		expect(bots.reduce((total, bot) => total + bot.stats.polls, 0)).toBe(0);
		expect(bots.every((bot) => bot.violations.length === 0)).toBe(true);
	});

	it('reports a refused login among the fleet', async () => {
		await restart({
			editAck: (request, ack) => {
				if (request.action === 'login' && request.wxid === 'wxid_fleet2')
					Object.assign(ack, { error_code: 403, error_reason: 'wxid not allowed' });
			},
		});
		const bots = createBots(3, {
			callbackUrl: server.url,
			appid: 'demo-appid',
			wxid: 'wxid_fleet1',
			secretKey: SECRET,
		});
		simulators.push(...bots);
		const { loggedIn, failed } = await loginBots(bots);
		expect(loggedIn.map((bot) => bot.wxid)).toEqual(['wxid_fleet1', 'wxid_fleet3']);
		expect(failed).toEqual(new Map([['wxid_fleet2', 'refused: 403 wxid not allowed']]));
	});
});

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await sleep(10);
	}
}
