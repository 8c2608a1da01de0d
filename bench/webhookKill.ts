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
 * BENCH_KILL_PING_MS, BENCH_KILL_AFTER_ACKED: each bot's pause between pings (1500) and the
 * acknowledged pings before the kill (150). BENCH_KILL_WORK_MS: the fixture's Wait nodes before
 * and after the reply (300, as in the e2e tests; 0 removes them).
 * BENCH_KILL_OTHER_BUILD: another build of this package (a folder with its package.json and
 * dist/, e.g. `git archive <commit>` extracted, node_modules linked, built), run alternately with
 * this checkout in every round, for a before/after comparison in the same conditions; recorded by
 * the folder's name (name it after its commit).
 */
import { execFileSync } from 'child_process';
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
import { basename, join, resolve } from 'path';

import { closeAllTaskStores, openTaskStore } from '../nodes/WeHub/store/openTaskStore';
import { describeReport, runPingKill, type PingKillReport } from '../test/e2e/crash/pingKill';
import {
	KILL_RUN_WORK_MS,
	PING_PONG_PATH,
	pingPongWorkflow,
} from '../test/e2e/fixtures/pingPongWorkflow';
import { embeddedStoreCredential, embeddedStorePath } from '../test/e2e/fixtures/weHubWorkflows';
import { ensureBuilt } from '../test/e2e/harness/ensureBuilt';
import { databaseFile, selectedVersion } from '../test/e2e/harness/runtime';
import { startN8n, type N8nInstance } from '../test/e2e/harness/startN8n';

const RESULTS = join(__dirname, 'results.json');
const VERSIONS = (process.env.BENCH_KILL_N8N ?? selectedVersion()).split(',').map((v) => v.trim());
const RUNS = Number(process.env.BENCH_KILL_RUNS ?? 1);
const POLL_MS = Number(process.env.BENCH_KILL_POLL_MS ?? 1_000);
const PING_MS = Number(process.env.BENCH_KILL_PING_MS ?? 1_500);
const KILL_AFTER_ACKED = Number(process.env.BENCH_KILL_AFTER_ACKED ?? 150);
const WORK_MS = Number(process.env.BENCH_KILL_WORK_MS ?? KILL_RUN_WORK_MS);
const OTHER_BUILD = process.env.BENCH_KILL_OTHER_BUILD;

interface Build {
	label: string;
	/** Undefined: this checkout, linked as the harness links it. */
	dir?: string;
}

/** A user folder with another build of the package where n8n loads community packages from. */
function userFolderWith(packageDir: string): string {
	const folder = mkdtempSync(join(tmpdir(), 'wehub-bench-kill-'));
	const nodeModules = join(folder, '.n8n', 'nodes', 'node_modules');
	mkdirSync(nodeModules, { recursive: true });
	symlinkSync(resolve(packageDir), join(nodeModules, 'n8n-nodes-wehub'), 'dir');
	return folder;
}

/**
 * Per text, the statuses of the executions n8n stored whose data holds it (as a whole string: n8n
 * stores run data in the flatted format, strings JSON-quoted): whether n8n itself
 * knows of an acknowledged ping that produced no pong (e.g. a `crashed` execution one could retry).
 * Read with Node 24's node:sqlite, as the harness reads executions.
 */
function executionsMentioning(n8n: N8nInstance, texts: string[]): Record<string, string[]> {
	if (texts.length === 0) return {};
	const script = `
		const { DatabaseSync } = require('node:sqlite');
		const db = new DatabaseSync(process.argv[1], { readOnly: true });
		const query = db.prepare(
			'SELECT e.status AS status FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE instr(d.data, ?) > 0',
		);
		const texts = JSON.parse(process.argv[2]);
		console.log(JSON.stringify(Object.fromEntries(texts.map((t) => [t, query.all(JSON.stringify(t)).map((r) => r.status)]))));
	`;
	const output = execFileSync(
		n8n.paths.nodeBin,
		['--no-warnings', '-e', script, databaseFile(n8n.userFolder), JSON.stringify(texts)],
		{ encoding: 'utf8' },
	);
	return JSON.parse(output) as Record<string, string[]>;
}

async function killRun(version: string, build: Build): Promise<Figures> {
	const userFolder = build.dir ? userFolderWith(build.dir) : undefined;
	const n8n = await startN8n({
		version,
		credentials: [embeddedStoreCredential],
		workflows: [pingPongWorkflow({ receiveVia: 'webhook' }, { waitMs: WORK_MS })],
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
			log: (line) => console.log(`[webhook kill, n8n ${version}, ${build.label}] ${line}`),
		});
		console.log(`[webhook kill, n8n ${version}, ${build.label}]\n${describeReport(report)}`);
		const known = executionsMentioning(
			n8n,
			report.lost.map((o) => o.ping.text),
		);
		console.log('executions n8n stored for the acknowledged pings without a pong', known);
		return figures({ n8n: version, build: build.label, ...report }, known);
	} finally {
		await closeAllTaskStores();
		await n8n.stop();
		if (userFolder && existsSync(userFolder)) rmSync(userFolder, { recursive: true, force: true });
	}
}

type Figures = ReturnType<typeof figures>;

/** What results.json keeps of a run: the counts and a few of the lost pings, not every ping. */
function figures(
	report: PingKillReport & { n8n: string; build: string },
	known: Record<string, string[]>,
) {
	const statuses = Object.values(known).map((found) => found.join('+') || 'none');
	return {
		n8n: report.n8n,
		build: report.build,
		bots: report.bots,
		poll_interval_ms: POLL_MS,
		ping_interval_ms: PING_MS,
		work_before_and_after_reply_ms: WORK_MS,
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
		/** Per acknowledged ping without a pong: the status of the execution n8n kept of it. */
		lost_execution_status: Object.fromEntries(
			[...new Set(statuses)].map((status) => [status, statuses.filter((s) => s === status).length]),
		),
		timing_ms: report.timing,
		load_average_1m: report.load_average_1m,
	};
}

async function main(): Promise<void> {
	ensureBuilt();
	const builds: Build[] = [{ label: 'this checkout' }];
	// Labelled by the folder's name, not its path: results.json keeps no machine paths.
	if (OTHER_BUILD) builds.push({ label: basename(resolve(OTHER_BUILD)), dir: OTHER_BUILD });
	const runs: Figures[] = [];
	for (let run = 0; run < RUNS; run++) {
		for (const version of VERSIONS) {
			for (const build of builds) runs.push(await killRun(version, build));
		}
	}
	const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
	results.webhook_kill = {
		command: 'npm run bench:webhook-kill',
		...(OTHER_BUILD ? { other_build: basename(resolve(OTHER_BUILD)) } : {}),
		measured_at: new Date().toISOString(),
		runs,
	};
	writeFileSync(RESULTS, `${JSON.stringify(results, null, '\t')}\n`);
	for (const run of runs) {
		console.log(
			`n8n ${run.n8n}, ${run.build}: ${run.acked_without_pong} of ${run.pings.acked} acknowledged pings without a pong ` +
				`(load ${run.load_average_1m.at_kill} at the kill)`,
		);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
