import { createHash } from 'node:crypto';
import {
	ProtocolViolationError,
	WeHubSimulator,
	loginSignature,
	type SimulatorOptions,
} from '../../sim/WeHubSimulator';
import { startFakeCallback, type FakeCallbackServer } from './fakeCallbackServer';

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
		seed: 42,
		...options,
	});
	simulators.push(sim);
	return sim;
}

async function restart(options: Parameters<typeof startFakeCallback>[0]): Promise<void> {
	await server.close();
	server = await startFakeCallback(options);
}

beforeEach(async () => {
	server = await startFakeCallback({ secretKey: SECRET });
});

afterEach(async () => {
	await Promise.all(simulators.splice(0).map((sim) => sim.close()));
	await server.close();
});

describe('login', () => {
	it('matches the documented signature example', () => {
		expect(loginSignature('fangqing_hust', 'helloworld', '112233').toUpperCase()).toBe(
			'4B8D798F8B34A7BD2CD3B4CBFA309D9C',
		);
	});

	it('sends a nonce from 0.2.2 and accepts an upper-case signature made with the right secret', async () => {
		const sim = simulator({ clientVersion: '0.4.26' });
		const result = await sim.login();
		expect(result.ok).toBe(true);
		expect(sim.loggedIn).toBe(true);
		const [login] = server.requestsFor('login');
		expect(login.data).toMatchObject({ client_version: '0.4.26', nonce: expect.any(String) });
		expect(login.data.machine_id).toMatch(/^[0-9a-f]{32}$/);
		expect(login.data.local_ip).toMatch(/\|/);
		expect(sim.violations).toEqual([]);
	});

	it('accepts a lower-case signature too', async () => {
		await restart({
			editAck: (request, ack) => {
				if (request.action === 'login') {
					(ack.data as Record<string, string>).signature = createHash('md5')
						.update(`${request.wxid}#${request.data.nonce}#${SECRET}`)
						.digest('hex');
				}
			},
		});
		expect((await simulator().login()).ok).toBe(true);
	});

	/** Answers every login with `sign(correct upper-case signature)` instead. */
	async function signLoginsWith(sign: (signature: string) => string): Promise<void> {
		await restart({
			editAck: (request, ack) => {
				if (request.action !== 'login') return;
				const correct = createHash('md5')
					.update(`${request.wxid}#${request.data.nonce}#${SECRET}`)
					.digest('hex')
					.toUpperCase();
				(ack.data as Record<string, string>).signature = sign(correct);
			},
		});
	}

	it.each([
		['upper case', (signature: string) => signature.toUpperCase()],
		['lower case', (signature: string) => signature.toLowerCase()],
		[
			'mixed case',
			(signature: string) =>
				[...signature].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join(''),
		],
	])('accepts the right signature in %s', async (_case, sign) => {
		await signLoginsWith(sign);
		const sim = simulator();
		expect(await sim.login()).toMatchObject({ ok: true });
		expect(sim.violations).toEqual([]);
	});

	it.each([
		['one hex digit off', (s: string) => `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`],
		['cut short', (s: string) => s.slice(0, 31)],
		['with whitespace around it (compared as sent)', (s: string) => ` ${s} `],
		['empty', () => ''],
	])('refuses a signature %s', async (_case, sign) => {
		await signLoginsWith(sign);
		const sim = simulator();
		const result = await sim.login();
		expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match/) });
		expect(sim.loggedIn).toBe(false);
	});

	it('documents the published example in lower case, which WeHub accepts as well', () => {
		expect(loginSignature('fangqing_hust', 'helloworld', '112233')).toBe(
			'4b8d798f8b34a7bd2cd3b4cbfa309d9c',
		);
	});

	it.each(['0.3.8.1', 'v0.4.26'])(
		'plays client %s by its first three numbers: a nonce, a signature, common_ack',
		async (clientVersion) => {
			const sim = simulator({ clientVersion });
			expect(await sim.login()).toMatchObject({ ok: true });
			expect(await sim.sendMessage('text', { text: 'ping' })).toMatchObject({ ok: true });
			const [login] = server.requestsFor('login');
			expect(login.data).toMatchObject({
				client_version: clientVersion,
				nonce: expect.any(String),
			});
			expect(sim.stats.acksByType).toEqual({ login_ack: 1, common_ack: 1 });
			expect(sim.violations).toEqual([]);
		},
	);

	it('refuses a login whose signature was made with another secret, and records a violation', async () => {
		await restart({ secretKey: 'not-the-secret' });
		const sim = simulator();
		const result = await sim.login();
		expect(result.ok).toBe(false);
		expect(result.reason).toMatch(/signature/);
		expect(sim.loggedIn).toBe(false);
		expect(sim.violations).toEqual([
			expect.objectContaining({
				action: 'login',
				problem: expect.stringMatching(/does not match/),
			}),
		]);
	});

	it('refuses a login answered with error_code != 0 without calling it a protocol violation', async () => {
		await restart({
			editAck: (request, ack) => {
				if (request.action === 'login')
					Object.assign(ack, { error_code: 403, error_reason: 'wxid not allowed' });
			},
		});
		const sim = simulator();
		const result = await sim.login();
		expect(result).toMatchObject({ ok: false, reason: 'refused: 403 wxid not allowed' });
		expect(sim.violations).toEqual([]);
		expect(sim.stats.errorAcks).toBe(1);
	});

	it('sends no nonce as client 0.1.5 and needs no signature', async () => {
		const sim = simulator({ clientVersion: '0.1.5' });
		expect((await sim.login()).ok).toBe(true);
		const [login] = server.requestsFor('login');
		expect(login.data).toEqual({
			nickname: sim.profile.nickname,
			wx_alias: sim.profile.wx_alias,
			head_img: sim.profile.head_img,
			client_version: '0.1.5',
		});
		expect(login.body).not.toHaveProperty('client_session');
	});

	it('carries a client_session on every request as client 0.4.26', async () => {
		const sim = simulator();
		await sim.login();
		await sim.sendMessage('text', { text: 'ping' });
		const sessions = server.requests.map((request) => request.body.client_session);
		expect(sessions[0]).toEqual(expect.any(String));
		expect(new Set(sessions).size).toBe(1);
	});
});

describe('ack validation', () => {
	it('records a violation when a 0.4.26 client gets "<action>_ack" instead of common_ack', async () => {
		await restart({
			secretKey: SECRET,
			editAck: (request, ack) => {
				if (request.action === 'report_new_msg') ack.ack_type = 'report_new_msg_ack';
			},
		});
		const sim = simulator();
		await sim.login();
		const result = await sim.sendMessage('text', { text: 'ping' });
		expect(result.ok).toBe(false);
		expect(sim.violations).toEqual([
			expect.objectContaining({
				action: 'report_new_msg',
				problem: 'ack_type is "report_new_msg_ack", client 0.4.26 expects "common_ack"',
			}),
		]);
	});

	it('records a violation when a 0.1.5 client gets common_ack', async () => {
		await restart({ editAck: (_request, ack) => (ack.ack_type = 'common_ack') });
		const sim = simulator({ clientVersion: '0.1.5' });
		await sim.reportContact({ friends: 2, groups: 1 });
		expect(sim.violations.map((v) => v.problem)).toEqual([
			'ack_type is "common_ack", client 0.1.5 expects "report_contact_ack"',
		]);
	});

	it('records a non-JSON answer, a string error_code and a missing data object', async () => {
		await restart({
			rawAnswer: (request) =>
				request.action === 'report_new_msg'
					? 'success'
					: request.action === 'report_new_friend'
						? JSON.stringify({ error_code: '0', error_reason: '', ack_type: 'common_ack' })
						: undefined,
		});
		const sim = simulator({ secretKey: undefined });
		await sim.sendMessage('text');
		await sim.newFriend();
		expect(sim.violations.map((v) => `${v.action}: ${v.problem}`)).toEqual([
			'report_new_msg: answer is not JSON: "success"',
			'report_new_friend: error_code is string, expected a number',
			'report_new_friend: data is missing or not an object',
		]);
		expect(sim.violations[0].body).toBe('success');
	});

	it('records an unreachable callback as a violation', async () => {
		const sim = simulator({ callbackUrl: 'http://127.0.0.1:1/webhook/wehub' });
		const result = await sim.logout();
		expect(result.ok).toBe(false);
		expect(sim.violations[0].problem).toMatch(/^no answer: /);
	});

	it('throws ProtocolViolationError when asked to', async () => {
		await restart({ rawAnswer: () => '<html>502 Bad Gateway</html>' });
		const sim = simulator({ throwOnViolation: true });
		await expect(sim.logout()).rejects.toBeInstanceOf(ProtocolViolationError);
	});

	it('counts acks by type and keeps latency samples', async () => {
		const sim = simulator();
		await sim.login();
		await sim.reportContact({ friends: 3, groups: 1 });
		await sim.pollOnce();
		expect(sim.stats.acksByType).toEqual({ login_ack: 1, common_ack: 1, pull_task_ack: 1 });
		expect(sim.stats.requests).toBe(3);
		expect(sim.stats.latenciesMs).toHaveLength(3);
		expect(sim.summary()).toMatchObject({ violations: 0, requests: 3, duplicateTaskIds: 0 });
	});
});

describe('transport', () => {
	it('reuses one keep-alive connection and sends the configured Content-Type', async () => {
		const json = simulator();
		await json.login();
		await json.pollOnce();
		await json.pollOnce();
		expect(new Set(server.requests.map((r) => r.socketId)).size).toBe(1);
		expect(server.requests[0].contentType).toBe('application/json');

		await simulator({ wxid: 'wxid_bot2', contentType: 'text/plain' }).logout();
		await simulator({ wxid: 'wxid_bot3', contentType: null }).logout();
		expect(server.requests.slice(-2).map((r) => r.contentType)).toEqual(['text/plain', undefined]);
	});
});

describe('tasks', () => {
	const pong = (wxid_to: string) => ({
		task_type: 1,
		task_dict: { wxid_to, at_list: [], msg_list: [{ msg_type: 1, msg: 'pong' }] },
	});

	it('executes a polled task once and reports its success', async () => {
		const sim = simulator();
		await sim.login();
		await sim.reportContact({ friends: 5, groups: 2 });
		const room = sim.contacts.groups[0].wxid;
		const taskId = server.enqueue(pong(room));

		const task = await sim.pollOnce();
		expect(await sim.pollOnce()).toBeUndefined();

		expect(task).toMatchObject({
			task_id: taskId,
			source: 'pull_task',
			task_type: 1,
			result: { success: true },
		});
		expect(sim.tasks).toHaveLength(1);
		expect(sim.sentTexts()).toEqual([
			expect.objectContaining({ to: room, text: 'pong', atList: [] }),
		]);
		expect(server.requestsFor('report_task_result').map((r) => r.data)).toEqual([
			{ task_id: taskId, task_result: 1, error_reason: '' },
		]);
		expect(sim.summary()).toMatchObject({ tasksReceived: 1, tasksExecuted: 1, violations: 0 });
	});

	it('reports a failure when the task outcome says so', async () => {
		const sim = simulator({
			taskOutcome: (task) =>
				task.task_type === 8 ? { success: false, reason: '不是群成员' } : { success: true },
		});
		server.enqueue({ task_type: 8, task_dict: { room_wxid: '2069358321@chatroom' } }, 'quit-1');
		await sim.pollOnce();
		expect(server.requestsFor('report_task_result')[0].data).toEqual({
			task_id: 'quit-1',
			task_result: 0,
			error_reason: '不是群成员',
		});
		expect(sim.stats.tasksFailed).toBe(1);
	});

	it('polls on its own until stopped, executing every queued task exactly once', async () => {
		const sim = simulator();
		const ids = [
			server.enqueue(pong('wxid_a')),
			server.enqueue(pong('wxid_b')),
			server.enqueue(pong('wxid_c')),
		];
		sim.startPolling();
		await waitFor(() => sim.tasks.length === 3);
		await sim.stopPolling();
		expect(sim.tasks.map((t) => t.task_id)).toEqual(ids);
		expect(sim.sentTexts().map((t) => t.to)).toEqual(['wxid_a', 'wxid_b', 'wxid_c']);
		expect(server.requestsFor('report_task_result')).toHaveLength(3);
		const pollsAfterStop = server.requestsFor('pull_task').length;
		await new Promise((resolve) => setTimeout(resolve, 60));
		expect(server.requestsFor('pull_task')).toHaveLength(pollsAfterStop);
	});

	it('counts a task_id handed out twice', async () => {
		const sim = simulator();
		server.enqueue(pong('wxid_a'), 'same-id');
		server.enqueue(pong('wxid_a'), 'same-id');
		await sim.pollOnce();
		await sim.pollOnce();
		expect(sim.stats.duplicateTaskIds).toBe(1);
		expect(sim.violations.map((v) => v.problem)).toEqual(['task_id same-id was handed out before']);
	});

	it('rejects a 0.4.26 send task without wxid_to and a 0.1.5 one without room_wxid/wxid', async () => {
		const modern = simulator();
		server.enqueue(
			{
				task_type: 1,
				task_dict: { room_wxid: '', wxid: 'wxid_a', msg_list: [{ msg_type: 1, msg: 'hi' }] },
			},
			't-old',
		);
		await modern.pollOnce();
		expect(modern.violations.map((v) => v.problem)).toEqual([
			'task 1 lacks wxid_to, which client 0.4.26 reads',
		]);
		expect(server.requestsFor('report_task_result')[0].data).toMatchObject({
			task_id: 't-old',
			task_result: 0,
		});

		const legacy = simulator({ wxid: 'wxid_bot2', clientVersion: '0.1.5' });
		await legacy.login();
		server.enqueue(pong('wxid_a'), 't-new');
		await legacy.pollOnce();
		expect(legacy.violations.map((v) => v.problem)).toEqual([
			'task 1 lacks room_wxid/wxid, which client 0.1.5 reads',
		]);
	});

	it('uploads the file behind task 9 as multipart with the right file_index and bytes', async () => {
		const sim = simulator();
		await sim.login();
		const image = await sim.sendMessage('image');
		const fileIndex = String(image.unit.file_index);
		server.enqueue({ task_type: 9, task_dict: { file_index: fileIndex } });

		const task = await sim.pollOnce();

		expect(task?.result).toEqual({ success: true, reason: '' });
		expect(server.uploads).toHaveLength(1);
		const [upload] = server.uploads;
		expect(upload.fileIndex).toBe(fileIndex);
		expect(upload.filename).toMatch(/^[0-9a-f]{40}\.jpg$/);
		expect(upload.mimeType).toBe('image/jpeg');
		expect(upload.bytes.subarray(0, 3).toString('hex')).toBe('ffd8ff');
		expect(upload.contentType).toMatch(
			/^multipart\/form-data; boundary="boundary_\.ooo\._[A-Za-z0-9=]+"$/,
		);
		expect(sim.stats.uploads).toBe(1);
		expect(sim.violations).toEqual([]);
	});

	it('uploads a registered file byte for byte, with a UTF-8 file name', async () => {
		const sim = simulator();
		const bytes = Buffer.from('%PDF-1.4\n季度报告\n%%EOF\n');
		sim.registerMedia('file-idx-1', {
			bytes,
			filename: '季度报告.pdf',
			contentType: 'application/pdf',
		});
		server.enqueue({ task_type: 9, task_dict: { file_index: 'file-idx-1' } });
		await sim.pollOnce();
		expect(server.uploads[0]).toMatchObject({
			fileIndex: 'file-idx-1',
			filename: '季度报告.pdf',
			mimeType: 'application/pdf',
		});
		expect(server.uploads[0].bytes.equals(bytes)).toBe(true);
	});

	it('answers task 4 with report_room_member_info for the asked rooms', async () => {
		const sim = simulator();
		await sim.reportContact({ friends: 6, groups: 2 });
		const room = sim.contacts.groups[1].wxid;
		server.enqueue({ task_type: 4, task_dict: { room_wxid_list: [room] } });
		await sim.pollOnce();
		const [info] = server.requestsFor('report_room_member_info');
		const list = info.data.room_data_list as Array<Record<string, unknown>>;
		expect(list).toHaveLength(1);
		expect(list[0]).toMatchObject({
			room_wxid: room,
			name: sim.contacts.groups[1].name,
			member_count: expect.any(Number),
		});
		expect((list[0].memberInfo_list as Array<{ wxid: string }>).map((m) => m.wxid)).toEqual(
			sim.contacts.groups[1].member_wxid_list,
		);
		const results = server.requestsFor('report_task_result');
		expect(server.requests.indexOf(info)).toBeLessThan(server.requests.indexOf(results[0]));
		expect(results[0].data.task_result).toBe(1);
	});

	it('executes reply_task_list tasks without reporting them back', async () => {
		await restart({
			replyTasks: (request) =>
				request.action === 'report_new_msg' &&
				(request.data.msg as Record<string, unknown>).msg === 'ping'
					? [
							{
								task_type: 1,
								task_dict: {
									wxid_to: String((request.data.msg as Record<string, unknown>).wxid_from),
									at_list: [],
									msg_list: [{ msg_type: 1, msg: 'pong' }],
								},
							},
						]
					: undefined,
		});
		const sim = simulator({ secretKey: undefined });
		const sent = await sim.sendMessage('text', { text: 'ping' });
		expect(sent.replyTasks).toHaveLength(1);
		expect(sim.sentTexts()).toEqual([
			expect.objectContaining({ to: sent.unit.wxid_from, text: 'pong' }),
		]);
		expect(sim.tasks[0]).toMatchObject({ source: 'reply_task_list', via: 'report_new_msg' });
		expect(sim.tasks[0]).not.toHaveProperty('task_id');
		expect(server.requestsFor('report_task_result')).toEqual([]);
	});

	it("flags a send task answering the bot's own message, which would loop", async () => {
		await restart({
			replyTasks: (request) =>
				request.action === 'report_new_msg'
					? [
							{
								task_type: 1,
								task_dict: {
									wxid_to: 'wxid_friend',
									at_list: [],
									msg_list: [{ msg_type: 1, msg: '自动回复' }],
								},
							},
						]
					: undefined,
		});
		const sim = simulator({ secretKey: undefined });
		await sim.sendMessage('text', { text: '来自朋友' });
		expect(sim.violations).toEqual([]);
		await sim.sendMessage('text', { from: 'wxid_bot1', to: 'wxid_friend', text: '我自己发的' });
		expect(sim.violations.map((v) => v.problem)).toEqual([
			"answered the bot's own message with a send task (task 1): this loops",
		]);
	});

	it('flags more than 3 reply tasks', async () => {
		const task = { task_type: 6, task_dict: { wxid: 'wxid_a', remark_name: '客户A' } };
		await restart({ replyTasks: () => [task, task, task, task] });
		const sim = simulator({ secretKey: undefined });
		await sim.newFriend();
		expect(sim.violations.map((v) => v.problem)).toEqual([
			'reply_task_list holds 4 tasks, at most 3 are allowed',
		]);
	});
});

describe('mini programs', () => {
	it.each(['mini_program', 'miniProgram'] as const)(
		'reports msg_type 4901 when asked for %s',
		async (kind) => {
			const sim = simulator();
			await sim.login();
			const { unit, ok } = await sim.sendMessage(kind);
			expect(ok).toBe(true);
			expect(unit.msg_type).toBe(4901);
			expect(server.requestsFor('report_new_msg')[0].data.msg).toMatchObject({ msg_type: 4901 });
		},
	);
});

describe('events', () => {
	it('0.1.5 records a friend request accepted with op_code 1 in the ack', async () => {
		await restart({
			editAck: (request, ack) => {
				if (request.action === 'report_friend_add_request') {
					ack.data = { op_code: 1, v1: request.data.v1, v2: request.data.v2 };
				}
			},
		});
		const sim = simulator({ clientVersion: '0.1.5' });
		await sim.login();
		const { request } = await sim.friendAddRequest({ notice_word: '我是做n8n的小李' });
		expect(request.v1).toMatch(/^v1_[0-9a-f]+@stranger$/);
		expect(sim.acceptedFriendRequests).toEqual([request.v1]);
		expect(sim.violations).toEqual([]);
		const [sent] = server.requestsFor('report_friend_add_request');
		expect(sent.data).toMatchObject({
			v1: request.v1,
			v2: request.v2,
			notice_word: '我是做n8n的小李',
		});
		expect(String(sent.data.raw_msg)).toContain(`encryptusername="${request.v1}"`);
		expect(String(sent.data.raw_msg)).toContain(`ticket="${request.v2}"`);
	});

	it('reports contacts, room changes, new rooms and removed friends in their documented shapes', async () => {
		const sim = simulator();
		await sim.reportContact({ friends: 8, groups: 3 });
		const room = sim.contacts.groups[0].wxid;
		await sim.roomMemberChange({ room, flag: 1 });
		const created = await sim.newRoom({ name: '新项目群', memberCount: 4 });
		await sim.friendRemoved(sim.contacts.friends[0].wxid);

		const contact = server.requestsFor('report_contact')[0].data;
		expect(contact.friend_list).toHaveLength(8);
		expect(contact.group_list).toHaveLength(3);
		expect(contact.public_list).toEqual(
			expect.arrayContaining([expect.objectContaining({ wxid: expect.stringMatching(/^gh_/) })]),
		);
		for (const group of contact.group_list as Array<Record<string, unknown>>) {
			expect(group.wxid).toMatch(/^\d{10,11}@chatroom$/);
			expect(group.member_wxid_list).toContain('wxid_bot1');
			expect(group.member_count).toBe((group.member_wxid_list as string[]).length);
		}
		const change = server.requestsFor('report_room_member_change')[0].data;
		expect(change).toMatchObject({
			room_wxid: room,
			flag: 1,
			wxid_list: [expect.any(String)],
			owner_wxid: expect.any(String),
		});
		const newRoom = server.requestsFor('report_new_room')[0].data;
		expect(newRoom).toMatchObject({ wxid: created.room, name: '新项目群' });
		expect(newRoom.memberInfo_list).toHaveLength(5);
		expect(server.requestsFor('report_friend_removed')[0].data).toEqual({
			wxid_removed: expect.stringMatching(/./),
		});
		expect(sim.violations).toEqual([]);
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
