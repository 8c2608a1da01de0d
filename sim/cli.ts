#!/usr/bin/env node
/**
 * `wehub-sim`: runs one or more simulated WeHub clients against a callback URL and prints a
 * readable log and a summary. `wehub-sim --help` lists the options.
 */
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './cliArgs';
import { parseVersion } from './clientVersion';
import { createBots } from './runBots';
import { loadScenario, runScenario, ScenarioError, type Scenario } from './scenario';
import type { WeHubSimulator } from './WeHubSimulator';

type Print = (line: string) => void;

function timestamp(): string {
	return new Date().toISOString().slice(11, 23);
}

async function runBot(
	bot: WeHubSimulator,
	options: CliOptions,
	scenario: Scenario | undefined,
	log: Print,
): Promise<string | undefined> {
	if (scenario) {
		const run = await runScenario(bot, scenario, (step, index) =>
			log(
				`[${bot.wxid}] step ${index + 1}/${scenario.steps.length}: ${step.name} ${JSON.stringify(step.params)}`,
			),
		);
		return run.completed
			? undefined
			: `stopped at step ${run.stoppedAt?.step}: ${run.stoppedAt?.reason}`;
	}
	const login = await bot.login();
	if (!login.ok) return `login failed: ${login.reason}`;
	await bot.reportContact({ friends: options.friends, groups: options.groups });
	log(
		bot.webSocket
			? `[${bot.wxid}] on the WebSocket, executing pushed tasks for ${options.durationSeconds} s`
			: `[${bot.wxid}] polling every ${options.pollSeconds} s for ${options.durationSeconds} s`,
	);
	await bot.pollFor(options.durationSeconds * 1000);
	await bot.logout();
	return undefined;
}

export function formatSummary(bots: WeHubSimulator[], failures: Map<string, string>): string[] {
	const lines = ['', 'Summary'];
	let violations = 0;
	for (const bot of bots) {
		const s = bot.summary();
		violations += s.violations;
		lines.push(
			`  ${s.wxid} (client ${s.clientVersion}): ${s.requests} requests, acks ${JSON.stringify(s.acksByType)}, ` +
				`tasks received ${s.tasksReceived} / executed ${s.tasksExecuted} / failed ${s.tasksFailed}, ` +
				`uploads ${s.uploads}, duplicate task_ids ${s.duplicateTaskIds}, error acks ${s.errorAcks}, ` +
				`latency p50 ${s.latencyMs.p50} ms p95 ${s.latencyMs.p95} ms max ${s.latencyMs.max} ms, violations ${s.violations}`,
		);
		if (s.framesSent > 0 || s.fallbackLogins > 0)
			lines.push(
				`    WebSocket: ${s.framesSent} frames sent (${s.heartbeatsSent} heartbeats), ${s.pushesReceived} pushes received, ` +
					`${s.reconnects} reconnects, ${s.fallbackLogins} fallback logins, ${s.polls} polls`,
			);
		const failure = failures.get(bot.wxid);
		if (failure) lines.push(`    ${failure}`);
		for (const v of bot.violations.slice(0, 10))
			lines.push(`    violation on ${v.action}: ${v.problem}`);
		if (bot.violations.length > 10) lines.push(`    ... and ${bot.violations.length - 10} more`);
	}
	lines.push(
		`  total: ${bots.length} bot(s), ${violations} protocol violation(s), ${failures.size} failed run(s)`,
	);
	return lines;
}

/** Runs the CLI; resolves to the exit status. */
export async function main(
	argv: string[],
	print: Print = console.log,
	printError: Print = console.error,
): Promise<number> {
	let options: CliOptions;
	let scenario: Scenario | undefined;
	try {
		options = parseCliArgs(argv);
		if (options.help) {
			print(USAGE);
			return 0;
		}
		if (!parseVersion(options.client))
			throw new UsageError(`--client must look like 0.4.26, got "${options.client}"`);
		scenario = options.scenario ? loadScenario(options.scenario) : undefined;
	} catch (error) {
		if (error instanceof UsageError || error instanceof ScenarioError) {
			printError(`wehub-sim: ${error.message}\nRun wehub-sim --help for the options.`);
			return 2;
		}
		throw error;
	}
	const log: Print = options.quiet ? () => {} : (line) => print(`${timestamp()} ${line}`);
	const failTasks = new Set(options.failTasks);
	const bots = createBots(options.bots, {
		callbackUrl: options.url,
		...(options.uploadUrl ? { uploadUrl: options.uploadUrl } : {}),
		appid: options.appid,
		wxid: options.wxid,
		...(options.secret !== undefined ? { secretKey: options.secret } : {}),
		clientVersion: options.client,
		pollIntervalMs: options.pollSeconds * 1000,
		contentType: options.contentType,
		...(options.seed !== undefined ? { seed: options.seed } : {}),
		webSocket: options.webSocket,
		heartbeatKey: options.heartbeatKey,
		taskOutcome: (task) =>
			failTasks.has(task.task_type)
				? { success: false, reason: `simulated failure of task ${task.task_type}` }
				: { success: true },
		log,
	});
	log(`${bots.length} bot(s) -> ${options.url}${scenario ? `, scenario "${scenario.name}"` : ''}`);
	const failures = new Map<string, string>();
	const onSignal = () => {
		log('interrupted: stopping');
		for (const bot of bots) void bot.stopPolling().catch(() => {});
	};
	process.once('SIGINT', onSignal);
	try {
		await Promise.all(
			bots.map(async (bot) => {
				const failure = await runBot(bot, options, scenario, log).catch(
					(error: Error) => error.message,
				);
				if (failure) failures.set(bot.wxid, failure);
			}),
		);
	} finally {
		process.removeListener('SIGINT', onSignal);
		await Promise.all(bots.map(async (bot) => await bot.close().catch(() => {})));
	}
	if (options.json)
		print(
			JSON.stringify(
				{
					bots: bots.map((bot) => ({
						...bot.summary(),
						failure: failures.get(bot.wxid) ?? null,
						violationList: bot.violations,
					})),
				},
				null,
				2,
			),
		);
	else for (const line of formatSummary(bots, failures)) print(line);
	const clean = failures.size === 0 && bots.every((bot) => bot.violations.length === 0);
	return clean ? 0 : 1;
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(status) => process.exit(status),
		(error: Error) => {
			console.error(`wehub-sim: ${error.stack ?? error.message}`);
			process.exit(1);
		},
	);
}
