import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../sim/cli';
import { parseCliArgs, UsageError } from '../../sim/cliArgs';
import { botWxids, runBots } from '../../sim/runBots';
import { loadScenario, parseScenario, runScenario, ScenarioError } from '../../sim/scenario';
import { WeHubSimulator } from '../../sim/WeHubSimulator';
import { startFakeCallback, type FakeCallbackServer } from './fakeCallbackServer';

const SECRET = 'demo-secret';
let server: FakeCallbackServer;
let tmp: string;

beforeEach(async () => {
	server = await startFakeCallback({ secretKey: SECRET });
	tmp = mkdtempSync(path.join(os.tmpdir(), 'wehub-sim-'));
});

afterEach(async () => {
	await server.close();
	rmSync(tmp, { recursive: true, force: true });
});

describe('scenarios', () => {
	it('runs the built-in demo: pings in a room and in private, a friend request, polling', async () => {
		const demo = loadScenario('demo');
		const quick = {
			...demo,
			steps: demo.steps.map((s) => (s.name === 'poll' ? { ...s, params: { seconds: 0.2 } } : s)),
		};
		const sim = new WeHubSimulator({
			callbackUrl: server.url,
			appid: 'demo-appid',
			wxid: 'wxid_bot1',
			secretKey: SECRET,
			pollIntervalMs: 20,
		});
		server.enqueue({
			task_type: 1,
			task_dict: { wxid_to: 'wxid_x', at_list: [], msg_list: [{ msg_type: 1, msg: 'pong' }] },
		});
		try {
			expect(await runScenario(sim, quick)).toEqual({ completed: true });
		} finally {
			await sim.close();
		}
		const texts = server
			.requestsFor('report_new_msg')
			.map((r) => r.data.msg as Record<string, unknown>);
		expect(texts).toEqual(
			expect.arrayContaining([
				expect.objectContaining({
					msg_type: 1,
					msg: 'ping',
					room_wxid: sim.contacts.groups[0].wxid,
				}),
				expect.objectContaining({ msg_type: 1, msg: 'ping', room_wxid: '', wxid_to: 'wxid_bot1' }),
				expect.objectContaining({ msg_type: 1, wxid_from: 'wxid_bot1' }),
			]),
		);
		expect(server.requestsFor('report_friend_add_request')).toHaveLength(1);
		expect(server.requests.at(-1)?.action).toBe('logout');
		expect(sim.sentTexts().map((t) => t.text)).toEqual(['pong']);
		expect(sim.violations).toEqual([]);
	});

	it('stops at a refused login', async () => {
		await server.close();
		server = await startFakeCallback({ secretKey: 'other-secret' });
		const sim = new WeHubSimulator({
			callbackUrl: server.url,
			appid: 'demo-appid',
			wxid: 'wxid_bot1',
			secretKey: SECRET,
		});
		const run = await runScenario(
			sim,
			parseScenario({ steps: [{ login: {} }, { send: { kind: 'text' } }] }),
		);
		await sim.close();
		expect(run).toMatchObject({
			completed: false,
			stoppedAt: { step: 1, reason: expect.stringMatching(/signature/) },
		});
		expect(server.requestsFor('report_new_msg')).toEqual([]);
	});

	it.each(['mini_program', 'miniProgram'])(
		'reads a mini program step named %s as the kind mini_program',
		(kind) => {
			expect(parseScenario({ steps: [{ send: { kind, room: 0 } }] }).steps).toEqual([
				{ name: 'send', params: { kind: 'mini_program', room: 0 } },
			]);
		},
	);

	it('runs a scenario file that still says miniProgram', async () => {
		const file = path.join(tmp, 'mini.json');
		writeFileSync(
			file,
			JSON.stringify({ steps: [{ login: {} }, { send: { kind: 'miniProgram' } }] }),
		);
		const sim = new WeHubSimulator({
			callbackUrl: server.url,
			appid: 'demo-appid',
			wxid: 'wxid_bot1',
			secretKey: SECRET,
		});
		try {
			expect(await runScenario(sim, loadScenario(file))).toEqual({ completed: true });
		} finally {
			await sim.close();
		}
		expect(server.requestsFor('report_new_msg')[0].data.msg).toMatchObject({ msg_type: 4901 });
		expect(sim.violations).toEqual([]);
	});

	it.each([
		[{ step: [] }, 'a scenario is an object with a "steps" array'],
		[{ steps: [{ login: {}, logout: {} }] }, 'step 1: a step is an object with exactly one key'],
		[{ steps: [{ login: {} }, { dance: {} }] }, 'step 2: unknown step "dance"'],
		[{ steps: [{ send: { kind: 'sticker' } }] }, 'step 1: send needs a "kind"'],
		[{ steps: [{ send: { kind: 'toString' } }] }, 'step 1: send needs a "kind"'],
		[{ steps: [{ poll: {} }] }, 'step 1: poll needs "seconds"'],
	])('rejects %j', (json, message) => {
		expect(() => parseScenario(json)).toThrow(ScenarioError);
		expect(() => parseScenario(json)).toThrow(message);
	});
});

describe('several bots', () => {
	it('numbers bot wxids from the first one', () => {
		expect(botWxids('wxid_bot1', 3)).toEqual(['wxid_bot1', 'wxid_bot2', 'wxid_bot3']);
		expect(botWxids('alice', 2)).toEqual(['alice_1', 'alice_2']);
		expect(botWxids('alice', 1)).toEqual(['alice']);
	});

	it('runs every bot against one callback, each with its own contacts', async () => {
		const bots = await runBots(
			3,
			{ callbackUrl: server.url, appid: 'demo-appid', wxid: 'wxid_bot1', secretKey: SECRET },
			async (bot) => {
				await bot.login();
				await bot.reportContact({ friends: 4, groups: 1 });
			},
		);
		expect(
			server
				.requestsFor('login')
				.map((r) => r.wxid)
				.sort(),
		).toEqual(['wxid_bot1', 'wxid_bot2', 'wxid_bot3']);
		expect(new Set(bots.map((b) => b.contacts.groups[0].wxid)).size).toBe(3);
		expect(bots.every((b) => b.loggedIn && b.violations.length === 0)).toBe(true);
	});
});

describe('wehub-sim command line', () => {
	it('parses options by hand', () => {
		expect(
			parseCliArgs([
				'--url',
				'http://localhost:5678/webhook/wehub',
				'--appid=demo-appid',
				'--bots',
				'5',
				'--client',
				'0.1.5',
				'--content-type',
				'none',
				'--fail-tasks',
				'3,9',
			]),
		).toMatchObject({
			url: 'http://localhost:5678/webhook/wehub',
			appid: 'demo-appid',
			wxid: 'wxid_bot1',
			bots: 5,
			client: '0.1.5',
			contentType: null,
			failTasks: [3, 9],
			pollSeconds: 1,
			durationSeconds: 30,
		});
		expect(() => parseCliArgs(['--appid', 'x'])).toThrow(new UsageError('--url is required'));
		expect(() => parseCliArgs(['--url', 'http://x', '--appid', 'x', '--bots', 'many'])).toThrow(
			'--bots needs a number >= 1',
		);
		expect(() => parseCliArgs(['--url', 'http://x', '--appid', 'x', '--colour'])).toThrow(
			'unknown option --colour',
		);
	});

	it('prints help and exits 0; a usage error exits 2', async () => {
		const out: string[] = [];
		expect(await main(['--help'], (l) => out.push(l))).toBe(0);
		expect(out.join('\n')).toMatch(/--scenario <name\|path>/);
		const errors: string[] = [];
		expect(
			await main(
				['--url', 'http://x'],
				() => {},
				(l) => errors.push(l),
			),
		).toBe(2);
		expect(errors[0]).toMatch(/--appid is required/);
	});

	it('plays a client build such as --client 0.3.8.1; refuses --client 0.4', async () => {
		const out: string[] = [];
		const status = await main(
			[
				'--url',
				server.url,
				'--appid',
				'demo-appid',
				'--secret',
				SECRET,
				'--client',
				'0.3.8.1',
				'--poll',
				'0.05',
				'--duration',
				'0.1',
				'--quiet',
			],
			(l) => out.push(l),
		);
		expect(status).toBe(0);
		expect(out.join('\n')).toMatch(/client 0\.3\.8\.1\).*violations 0/);
		expect(server.requestsFor('login')[0].data.client_version).toBe('0.3.8.1');
		const errors: string[] = [];
		expect(
			await main(
				['--url', server.url, '--appid', 'demo-appid', '--client', '0.4'],
				() => {},
				(l) => errors.push(l),
			),
		).toBe(2);
		expect(errors[0]).toMatch(/--client must look like 0.4.26, got "0.4"/);
	});

	it('runs a scenario file for two bots, executes a failing task and prints a summary', async () => {
		const file = path.join(tmp, 'quick.json');
		writeFileSync(
			file,
			JSON.stringify({
				name: 'quick',
				steps: [
					{ login: {} },
					{ reportContact: { friends: 3, groups: 1 } },
					{ send: { kind: 'text', room: 0, text: 'ping' } },
					{ poll: { seconds: 0.3 } },
					{ logout: {} },
				],
			}),
		);
		server.enqueue({
			task_type: 3,
			task_dict: { room_wxid: '2069358321@chatroom', wxid: 'wxid_a' },
		});
		const out: string[] = [];
		const status = await main(
			[
				'--url',
				server.url,
				'--appid',
				'demo-appid',
				'--secret',
				SECRET,
				'--wxid',
				'wxid_bot1',
				'--bots',
				'2',
				'--poll',
				'0.05',
				'--scenario',
				file,
				'--fail-tasks',
				'3',
			],
			(l) => out.push(l),
		);
		expect(status).toBe(0);
		const text = out.join('\n');
		expect(text).toMatch(/scenario "quick"/);
		expect(text).toMatch(/total: 2 bot\(s\), 0 protocol violation\(s\), 0 failed run\(s\)/);
		expect(server.requestsFor('report_task_result').map((r) => r.data)).toEqual([
			{ task_id: 'task-1', task_result: 0, error_reason: 'simulated failure of task 3' },
		]);
	});

	it('polls without a scenario and exits 1 when the callback violates the protocol', async () => {
		await server.close();
		server = await startFakeCallback({
			editAck: (request, ack) => request.action === 'pull_task' && (ack.ack_type = 'common_ack'),
		});
		const out: string[] = [];
		const status = await main(
			[
				'--url',
				server.url,
				'--appid',
				'demo-appid',
				'--poll',
				'0.05',
				'--duration',
				'0.1',
				'--quiet',
				'--json',
			],
			(l) => out.push(l),
		);
		expect(status).toBe(1);
		const summary = JSON.parse(out.join('\n'));
		expect(summary.bots[0].violations).toBeGreaterThan(0);
		expect(summary.bots[0].violationList[0].problem).toBe(
			'ack_type is "common_ack", client 0.4.26 expects "pull_task_ack"',
		);
		expect(server.requests.at(-1)?.action).toBe('logout');
	});
});
