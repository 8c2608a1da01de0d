/**
 * `npm run bench:webhook-kill`: issue 17's kill run in webhook mode, as a figure (webhook mode has
 * no inbox: what it loses is recorded, not asserted). The same run as the e2e tests
 * test/e2e/crash/inboxKill*.test.ts (test/e2e/crash/pingKill.ts): 30 bots ping the ping-pong
 * fixture, here on n8n's webhook path (POST /webhook/wehub-ping-pong), and poll it for pongs;
 * n8n's process group is SIGKILLed once 150 pings were acknowledged, started again, and the bots
 * carry on. Counted: acknowledged pings that never got a pong.
 *
 * BENCH_KILL_N8N: comma-separated n8n versions (default the pinned 2.x; 1.123.81 acks before it
 * writes the execution). BENCH_KILL_RUNS: runs per version (default 1). BENCH_KILL_POLL_MS:
 * the bots' poll interval (default 1000: n8n's webhook path answers ~40 requests/s here).
 * WEHUB_BENCH_PACKAGE_DIR: another build of this package to load instead of this checkout (e.g. a
 * worktree of an older commit, built), for a before/after comparison in the same conditions.
 */
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

import { closeAllTaskStores, openTaskStore } from '../nodes/WeHub/store/openTaskStore';
import { describeReport, runPingKill, type PingKillReport } from '../test/e2e/crash/pingKill';
import { PING_PONG_PATH, pingPongWorkflow } from '../test/e2e/fixtures/pingPongWorkflow';
import { embeddedStoreCredential, embeddedStorePath } from '../test/e2e/fixtures/weHubWorkflows';
import { ensureBuilt } from '../test/e2e/harness/ensureBuilt';
import { selectedVersion } from '../test/e2e/harness/runtime';
import { startN8n } from '../test/e2e/harness/startN8n';

const RESULTS = join(__dirname, 'results.json');
const VERSIONS = (process.env.BENCH_KILL_N8N ?? selectedVersion()).split(',').map((v) => v.trim());
const RUNS = Number(process.env.BENCH_KILL_RUNS ?? 1);
const POLL_MS = Number(process.env.BENCH_KILL_POLL_MS ?? 1_000);
const PING_MS = Number(process.env.BENCH_KILL_PING_MS ?? 1_500);
const KILL_AFTER_ACKED = Number(process.env.BENCH_KILL_AFTER_ACKED ?? 150);
const PACKAGE_DIR = process.env.WEHUB_BENCH_PACKAGE_DIR;

/** A user folder with another build of the package where n8n loads community packages from. */
function userFolderWith(packageDir: string): string {
	const folder = mkdtempSync(join(tmpdir(), 'wehub-bench-kill-'));
	const nodeModules = join(folder, '.n8n', 'nodes', 'node_modules');
	mkdirSync(nodeModules, { recursive: true });
	symlinkSync(resolve(packageDir), join(nodeModules, 'n8n-nodes-wehub'), 'dir');
	return folder;
}

async function killRun(version: string): Promise<PingKillReport & { n8n: string }> {
	const userFolder = PACKAGE_DIR ? userFolderWith(PACKAGE_DIR) : undefined;
	const n8n = await startN8n({
		version,
		credentials: [embeddedStoreCredential],
		workflows: [pingPongWorkflow({ receiveVia: 'webhook' })],
		...(userFolder ? { userFolder, linkPackage: false } : {}),
	});
	try {
		const store = await openTaskStore({
			backend: 'embedded',
			path: embeddedStorePath(n8n.userFolder),
		});
		const report = await runPingKill({
			n8n,
			store,
			callbackUrl: n8n.webhookUrl(PING_PONG_PATH),
			webSocket: false,
			durable: false,
			// restart() waits until the webhook answers again.
			waitUntilBack: async () => undefined,
			firstWxid: 'wxid_kill_hook_1',
			pollIntervalMs: POLL_MS,
			pingIntervalMs: PING_MS,
			killAfterAcked: KILL_AFTER_ACKED,
			killWaitTimeoutMs: 300_000,
			settleTimeoutMs: 120_000,
			log: (line) => console.log(`[webhook kill, n8n ${version}] ${line}`),
		});
		console.log(`[webhook kill, n8n ${version}]\n${describeReport(report)}`);
		return { n8n: version, ...report };
	} finally {
		await closeAllTaskStores();
		await n8n.stop();
		if (userFolder && existsSync(userFolder)) rmSync(userFolder, { recursive: true, force: true });
	}
}

/** What results.json keeps of a run: the counts and a few of the lost pings, not every ping. */
function figures(report: PingKillReport & { n8n: string }) {
	return {
		n8n: report.n8n,
		bots: report.bots,
		poll_interval_ms: POLL_MS,
		ping_interval_ms: PING_MS,
		kill_after_acked: KILL_AFTER_ACKED,
		pings: report.pings,
		acked_without_pong: report.lost.length + report.answerDiedWithN8n.length,
		acked_without_pong_by_phase: {
			before_kill: report.lost.filter((o) => o.ping.phase === 'before').length,
			after_restart: report.lost.filter((o) => o.ping.phase !== 'before').length,
		},
		pong_answer_died_with_n8n: report.answerDiedWithN8n.length,
		acked_with_two_pongs: report.twice.length,
		exactly_once: report.exactlyOnce,
		lost_sample: report.lost.slice(0, 5).map((o) => o.ping.text),
		timing_ms: report.timing,
		load_average_1m: report.load_average_1m,
	};
}

async function main(): Promise<void> {
	if (!PACKAGE_DIR) ensureBuilt();
	const runs = [];
	for (const version of VERSIONS) {
		for (let run = 0; run < RUNS; run++) runs.push(figures(await killRun(version)));
	}
	const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
	const key = PACKAGE_DIR ? 'webhook_kill_other_build' : 'webhook_kill';
	results[key] = {
		command: 'npm run bench:webhook-kill',
		...(PACKAGE_DIR ? { package_dir: PACKAGE_DIR } : {}),
		measured_at: new Date().toISOString(),
		runs,
	};
	writeFileSync(RESULTS, `${JSON.stringify(results, null, '\t')}\n`);
	for (const run of runs) {
		console.log(
			`n8n ${run.n8n}: ${run.acked_without_pong} of ${run.pings.acked} acknowledged pings without a pong ` +
				`(load ${run.load_average_1m.at_kill} at the kill)`,
		);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
