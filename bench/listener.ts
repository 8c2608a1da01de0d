/**
 * `npm run bench:listener`: pull_task answered by the trigger's own listener (the real
 * WeHubListener -> handleCallback -> embedded store path) against a bare node:http server that
 * answers a constant JSON, in the same run, with the same autocannon settings.
 *
 * Fairness: both servers run in this process, one after the other, each alone on its port, with
 * autocannon in this process too (so both share the CPU with the load generator alike). CONNECTIONS
 * keep-alive connections stand for that many bots; each connection polls for its own bot.
 */
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer, type Server } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';

import { DEFAULT_LISTENER_CONFIG } from '../nodes/WeHub/listener/ListenerConfig';
import { WeHubListener } from '../nodes/WeHub/listener/WeHubListener';
import type { WeHubSettings } from '../nodes/WeHub/shared/settings';
import { closeAllTaskStores, openTaskStore } from '../nodes/WeHub/store/openTaskStore';
import { DEFAULT_TRIGGER_OPTIONS } from '../nodes/WeHub/trigger/options';
import { freePort } from '../test/e2e/harness/freePort';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RESULTS = join(__dirname, 'results.json');
const APPID = 'wh_appid_bench';

interface Figures {
	requests_per_s: number;
	p50_ms: number;
	p99_ms: number;
	non_2xx: number;
	errors: number;
}

async function load(port: number, label: string): Promise<Figures> {
	const requests = Array.from({ length: CONNECTIONS }, (_, bot) => ({
		method: 'POST' as const,
		path: '/wehub',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			action: 'pull_task',
			appid: APPID,
			wxid: `wxid_bench_${bot}`,
			data: {},
		}),
	}));
	const result = await autocannon({
		url: `http://127.0.0.1:${port}`,
		connections: CONNECTIONS,
		duration: SECONDS,
		requests,
	});
	const figures = {
		requests_per_s: Math.round(result.requests.average),
		p50_ms: result.latency.p50,
		p99_ms: result.latency.p99,
		non_2xx: result.non2xx,
		errors: result.errors,
	};
	console.log(label, figures);
	return figures;
}

async function bareHttp(port: number): Promise<Server> {
	const ack = JSON.stringify({
		error_code: 0,
		error_reason: '',
		ack_type: 'pull_task_ack',
		data: {},
	});
	const server = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			res.writeHead(200, {
				'content-type': 'application/json; charset=utf-8',
				'content-length': String(Buffer.byteLength(ack)),
			});
			res.end(ack);
		});
	});
	server.keepAliveTimeout = DEFAULT_LISTENER_CONFIG.keepAliveTimeoutMs;
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return server;
}

async function main(): Promise<void> {
	const folder = mkdtempSync(join(tmpdir(), 'wehub-bench-listener-'));
	const settings: WeHubSettings = {
		appid: APPID,
		allowedBots: null,
		store: { backend: 'embedded', path: join(folder, 'store') },
	};
	try {
		const store = await openTaskStore(settings.store);
		// A few bots have a task waiting, so some polls hand one out as in real traffic.
		for (let bot = 0; bot < CONNECTIONS; bot += 10) {
			await store.enqueue(
				{ appid: APPID, wxid: `wxid_bench_${bot}` },
				{
					task_type: 1,
					task_dict: {
						wxid_to: 'wxid_alice6a8kd2',
						at_list: [],
						msg_list: [{ msg_type: 1, msg: '早上好' }],
					},
				},
			);
		}

		const barePort = await freePort();
		const bare = await bareHttp(barePort);
		const bareBefore = await load(barePort, 'bare node:http (before)');
		await new Promise((resolve) => bare.close(resolve));

		const port = await freePort();
		const listener = new WeHubListener(
			{
				...DEFAULT_LISTENER_CONFIG,
				host: '127.0.0.1',
				port,
				path: 'wehub',
				maxConcurrentRequests: CONNECTIONS * 2,
			},
			{
				settings,
				store: async () => await openTaskStore(settings.store),
				options: DEFAULT_TRIGGER_OPTIONS,
			},
		);
		await listener.listen();
		const pull = await load(port, 'listener pull_task (embedded store)');
		await listener.close();

		const bare2 = await bareHttp(barePort);
		const bareAfter = await load(barePort, 'bare node:http (after)');
		await new Promise((resolve) => bare2.close(resolve));

		const bareAverage = (bareBefore.requests_per_s + bareAfter.requests_per_s) / 2;
		const ratio = Math.round((pull.requests_per_s / bareAverage) * 100) / 100;
		const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
		results.pull_task_listener_vs_bare_http = ratio;
		results.listener_pull_task = {
			connections: CONNECTIONS,
			seconds_per_run: SECONDS,
			store: 'embedded',
			listener: pull,
			bare_http: [bareBefore, bareAfter],
		};
		writeFileSync(RESULTS, `${JSON.stringify(results, null, '\t')}\n`);
		console.log(`pull_task_listener_vs_bare_http = ${ratio}`);
	} finally {
		await closeAllTaskStores();
		rmSync(folder, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
