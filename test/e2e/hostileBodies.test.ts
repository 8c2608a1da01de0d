import { readFileSync } from 'node:fs';

import { sleep } from '../helpers/sleep';
import { startN8n, type N8nInstance } from './harness';
import { freePort } from './harness/freePort';
import { n8nPid } from './harness/n8nPid';
import {
	E2E_APPID,
	embeddedStoreCredential,
	listenerModeWorkflow,
	waitForListener,
	webhookModeWorkflow,
} from './fixtures/weHubWorkflows';

/**
 * Bodies under the size limit that used to stall a real n8n (2 cores, n8n 2.40.7), sent through
 * both transports while /healthz is polled: one report_new_msg of 100,000 text units (7.6 MB,
 * acked in 340 ms, then n8n's /healthz failed or took over 1 s for 5 minutes and its RSS grew from
 * 0.6 to 2.1 GB) and one of 50,000 file units (20 s to ack, one store commit per unit). Both are
 * now refused at once (error_code 413, more units than one callback may carry); a 10 MB contact
 * report and a body past N8N_PAYLOAD_SIZE_MAX are answered as well. /healthz must stay under 1 s
 * during and after, and no execution may start.
 */

const BOT = 'wxid_hostile_bot01';
const HEALTHZ_LIMIT_MS = 1_000;
const SETTLE_MS = 3_000;

function envelope(data: unknown, action = 'report_new_msg'): Buffer {
	return Buffer.from(JSON.stringify({ action, appid: E2E_APPID, wxid: BOT, data }));
}

/** 100,000 "ping" text units: each one an item and a reply task before units were capped. */
function textUnits(count: number): Buffer {
	const msg_list = Array.from({ length: count }, (_, i) => ({
		msg_type: 1,
		room_wxid: '',
		wxid_from: `wxid_sender${(i % 500).toString(36)}`,
		wxid_to: BOT,
		msg: 'ping',
	}));
	return envelope({ msg_list });
}

/** 50,000 image units, each with a file_index to remember. */
function fileUnits(count: number): Buffer {
	const msg_list = Array.from({ length: count }, (_, i) => ({
		msg_type: 3,
		room_wxid: '8680025352@chatroom',
		wxid_from: 'wxid_alice6a8kd2',
		wxid_to: '8680025352@chatroom',
		file_index: `3053020100044c304a0201000204${i.toString(16).padStart(8, '0')}`,
	}));
	return envelope({ msg_list });
}

/** A real-sized report_contact (40,000 friends, about 10 MB): legitimate, just big. */
function contactReport(friends: number): Buffer {
	const friend_list = Array.from({ length: friends }, (_, i) => ({
		wxid: `wxid_friend${i.toString(36).padStart(8, '0')}`,
		wx_alias: `alias_${i}`,
		nickname: `好友 ${i} 的昵称`,
		remark_name: i % 3 === 0 ? `客户 ${i}` : '',
		head_img: `http://wx.qlogo.cn/mmhead/ver_1/${i.toString(16).padStart(40, 'a')}/132`,
		sex: i % 3,
		country: 'CN',
		province: 'Guangdong',
		city: 'Shenzhen',
	}));
	return envelope({ friend_list, group_list: [] }, 'report_contact');
}

function rssMb(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** Polls /healthz back to back (a request at most every 100 ms) and keeps every latency. */
class HealthProbe {
	readonly latencies: number[] = [];
	private running = true;
	private readonly loop: Promise<void>;

	constructor(private readonly url: string) {
		this.loop = this.run();
	}

	private async run(): Promise<void> {
		while (this.running) {
			const started = performance.now();
			const ok = await fetch(this.url, { signal: AbortSignal.timeout(5_000) })
				.then(async (response) => {
					await response.arrayBuffer();
					return response.ok;
				})
				.catch(() => false);
			const elapsed = performance.now() - started;
			// A failed or timed-out check counts as the timeout: n8n did not answer in time.
			this.latencies.push(ok ? elapsed : 5_000);
			await sleep(Math.max(0, 100 - elapsed));
		}
	}

	async stop(): Promise<{ checks: number; maxMs: number; p50Ms: number }> {
		this.running = false;
		await this.loop;
		const sorted = [...this.latencies].sort((a, b) => a - b);
		return {
			checks: sorted.length,
			maxMs: sorted[sorted.length - 1] ?? 0,
			p50Ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
		};
	}
}

interface Answer {
	status: number;
	ms: number;
	ack: { error_code: number; error_reason: string; ack_type: string };
}

async function post(url: string, body: Buffer): Promise<Answer> {
	const started = performance.now();
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body,
		signal: AbortSignal.timeout(30_000),
	});
	const text = await response.text();
	return { status: response.status, ms: performance.now() - started, ack: JSON.parse(text) };
}

describe('hostile bodies under the size limit against a real n8n', () => {
	let n8n: N8nInstance;
	let listenerPort: number;
	const webhook = webhookModeWorkflow('wehub-hostile');

	beforeAll(async () => {
		listenerPort = await freePort();
		n8n = await startN8n({
			credentials: [embeddedStoreCredential],
			workflows: [webhook, listenerModeWorkflow(listenerPort)],
		});
		await waitForListener(listenerPort);
	});

	let probe: HealthProbe | undefined;

	afterAll(async () => {
		// A failed assertion leaves the probe running: stop it before n8n, or it polls for ever.
		await probe?.stop();
		await n8n?.stop();
	});

	it('answers each at once, keeps /healthz under 1 s during and after, and starts nothing', async () => {
		const targets = {
			webhook: n8n.webhookUrl('wehub-hostile'),
			listener: `http://127.0.0.1:${listenerPort}/wehub-listener`,
		};
		const bodies = {
			'100,000 text units': textUnits(100_000),
			'50,000 file units': fileUnits(50_000),
		};
		const contacts = contactReport(40_000);
		expect(bodies['100,000 text units'].length).toBeGreaterThan(7 * 1024 * 1024);
		expect(contacts.length).toBeGreaterThan(10 * 1024 * 1024);

		const pid = n8nPid(n8n.port);
		const rssBefore = rssMb(pid);
		probe = new HealthProbe(`${n8n.baseUrl}/healthz`);
		const answers: Record<string, Answer> = {};
		let peakRss = rssBefore;
		for (const [transport, url] of Object.entries(targets)) {
			for (const [name, body] of Object.entries(bodies)) {
				const answer = await post(url, body);
				answers[`${name} (${transport})`] = answer;
				expect(answer.status).toBe(200);
				expect(answer.ack).toMatchObject({
					error_code: 413,
					error_reason: expect.stringContaining('at most 100 are accepted in one callback'),
				});
				peakRss = Math.max(peakRss, rssMb(pid));
			}
			// Not a selected event (the workflows take messages): acked, no execution.
			const report = await post(url, contacts);
			answers[`10 MB report_contact (${transport})`] = report;
			expect(report).toMatchObject({ status: 200, ack: { error_code: 0 } });
			peakRss = Math.max(peakRss, rssMb(pid));
		}
		// n8n's own body reader refuses past N8N_PAYLOAD_SIZE_MAX (16 MiB): still a WeHub ack.
		const tooLarge = await post(targets.webhook, Buffer.alloc(17 * 1024 * 1024, 0x20));
		expect(tooLarge).toMatchObject({
			status: 200,
			ack: { error_code: 413, error_reason: expect.stringContaining('N8N_PAYLOAD_SIZE_MAX') },
		});
		for (let waited = 0; waited < SETTLE_MS; waited += 500) {
			await sleep(500);
			peakRss = Math.max(peakRss, rssMb(pid));
		}
		const health = await probe.stop();
		const figures = {
			ackMs: Object.fromEntries(
				Object.entries(answers).map(([name, a]) => [name, Math.round(a.ms)]),
			),
			healthz: { ...health, maxMs: Math.round(health.maxMs), p50Ms: Math.round(health.p50Ms) },
			rssMb: {
				before: Math.round(rssBefore),
				peak: Math.round(peakRss),
				after: Math.round(rssMb(pid)),
			},
		};
		process.stdout.write(`hostile bodies against n8n: ${JSON.stringify(figures)}\n`);

		expect(health.checks).toBeGreaterThan(10);
		expect(health.maxMs).toBeLessThan(HEALTHZ_LIMIT_MS);
		for (const [name, answer] of Object.entries(answers)) {
			expect({ name, fast: answer.ms < 5_000 }).toEqual({ name, fast: true });
		}
		// Before the cap the 100,000-unit body alone grew n8n by 1.5 GB.
		expect(peakRss - rssBefore).toBeLessThan(500);
		expect(await n8n.listExecutions()).toEqual([]);

		// The same trigger still starts executions for a real message: nothing above was dropped
		// on the floor by accident.
		const message = envelope({
			msg: { msg_type: 1, room_wxid: '', wxid_from: 'wxid_alice6a8kd2', wxid_to: BOT, msg: '你好' },
		});
		expect((await post(targets.webhook, message)).ack.error_code).toBe(0);
		expect((await post(targets.listener, message)).ack.error_code).toBe(0);
		const executions = await n8n.waitForExecutions(webhook.id as string, 1);
		expect(executions).toHaveLength(1);
	}, 110_000);
});
