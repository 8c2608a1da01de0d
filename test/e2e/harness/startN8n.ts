import type { ChildProcess } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { sleep } from '../../helpers/sleep';
import { freePort } from './freePort';
import { forgetGroup, killGroup, registerGroup } from './processRegistry';
import {
	type CredentialJson,
	type RuntimePaths,
	type StoredExecution,
	type WorkflowJson,
	ensureN8nInstalled,
	listExecutions,
	nodeTypesFile,
	prepareUserFolder,
	spawnN8nServer,
	webhookLive,
	withStableIds,
} from './runtime';

/** A webhook n8n must answer (anything but 404) before the instance counts as ready. */
export interface ReadyProbe {
	path: string;
	method?: string;
}

export interface StartN8nOptions {
	/** Imported before n8n starts (re-import overwrites by id; ids are derived when missing). */
	workflows?: WorkflowJson[];
	/** Credentials with plain `data`, imported (encrypted by n8n) before the workflows. */
	credentials?: CredentialJson[];
	/** Ids to activate; default: every given workflow that does not say `active: false`. */
	activate?: string[];
	/** Extra environment for n8n (e.g. `N8N_EXPRESSION_ENGINE`). */
	env?: Record<string, string>;
	port?: number;
	/** A user folder to reuse; default: a fresh temporary one, removed by stop(). */
	userFolder?: string;
	/**
	 * Webhooks to wait for; default: those of the Webhook and WeHub Trigger (webhook mode) nodes of
	 * the activated workflows. A trigger in listener mode needs its own readiness check.
	 */
	readyProbes?: ReadyProbe[];
	readyTimeoutMs?: number;
	/** n8n version (default: N8N_VERSION or the pinned 2.x). */
	version?: string;
	/**
	 * Whether to link this repository into the user folder as the installed package (default
	 * true); false for tests that install the package the way users do (test/e2e/install).
	 */
	linkPackage?: boolean;
}

export interface N8nInstance {
	readonly baseUrl: string;
	readonly port: number;
	readonly userFolder: string;
	readonly paths: RuntimePaths;
	/** Ids of the imported workflows, in the order given. */
	readonly workflowIds: string[];
	webhookUrl(path: string): string;
	/** Stops n8n (SIGTERM, then SIGKILL after 20 s) and removes a temporary user folder. */
	stop(): Promise<void>;
	/** Stops n8n and starts it again on the same user folder and port, waiting until ready. */
	restart(): Promise<void>;
	/** Sends a signal to n8n's whole process group and waits for n8n to exit. */
	kill(signal?: NodeJS.Signals): Promise<void>;
	/** Executions n8n stored in its database, oldest first. */
	listExecutions(workflowId?: string, options?: { withData?: boolean }): Promise<StoredExecution[]>;
	/** Polls listExecutions until at least `count` finished executions exist. */
	waitForExecutions(
		workflowId: string,
		count: number,
		options?: { timeoutMs?: number; withData?: boolean },
	): Promise<StoredExecution[]>;
	/** Names of the node types n8n loaded (e.g. `n8n-nodes-wehub.weHubTrigger`), once per version. */
	nodeTypes(): Promise<string[]>;
	/** Everything n8n wrote to stdout and stderr since the harness started it. */
	logs(): string;
}

const MAX_LOG_CHARS = 2_000_000;
const STOP_GRACE_MS = 20_000;
const FINISHED_STATUSES = new Set(['success', 'error', 'crashed', 'canceled']);

const WEHUB_TRIGGER = 'n8n-nodes-wehub.weHubTrigger';

/**
 * What an activated workflow registers: n8n's Webhook node at `/webhook/<path>` (its httpMethod),
 * and our WeHub Trigger in webhook mode at `/webhook/<path>` (POST; without a Path at
 * `/webhook/<webhookId>`).
 */
function webhookProbes(workflows: WorkflowJson[]): ReadyProbe[] {
	return workflows.flatMap((workflow) =>
		workflow.nodes.flatMap((node): ReadyProbe[] => {
			const parameters = node.parameters ?? {};
			if (node.type === 'n8n-nodes-base.webhook' && typeof parameters.path === 'string') {
				return [{ path: parameters.path, method: String(parameters.httpMethod ?? 'GET') }];
			}
			if (node.type === WEHUB_TRIGGER && (parameters.receiveVia ?? 'webhook') === 'webhook') {
				return [{ path: String(parameters.path || node.webhookId), method: 'POST' }];
			}
			return [];
		}),
	);
}

export async function startN8n(options: StartN8nOptions = {}): Promise<N8nInstance> {
	const paths = await ensureN8nInstalled({ version: options.version });
	const createdFolder = options.userFolder === undefined;
	const userFolder = options.userFolder ?? mkdtempSync(join(tmpdir(), 'wehub-e2e-n8n-'));
	const port = options.port ?? (await freePort());
	const brokerPort = await freePort();
	const baseUrl = `http://localhost:${port}`;
	const workflows = (options.workflows ?? []).map((workflow, index) =>
		withStableIds(workflow, `${workflow.name}#${index}`),
	);
	const activate =
		options.activate ?? workflows.filter((workflow) => workflow.active !== false).map((w) => w.id);
	const probes =
		options.readyProbes ??
		webhookProbes(workflows.filter((workflow) => activate.includes(workflow.id)));
	const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
	// Each n8n runs its task runner broker on its own port, so instances can run side by side.
	const env = { N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...options.env };

	let logText = '';
	let child: ChildProcess | undefined;
	let exited: Promise<void> = Promise.resolve();

	const appendLog = (chunk: Buffer) => {
		logText += chunk.toString();
		if (logText.length > MAX_LOG_CHARS) logText = logText.slice(-MAX_LOG_CHARS);
	};

	try {
		await prepareUserFolder(paths, userFolder, {
			credentials: options.credentials ?? [],
			workflows,
			activate,
			link: options.linkPackage ?? true,
		});
	} catch (error) {
		if (createdFolder) rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}

	const launch = async () => {
		const started = Date.now();
		const proc = spawnN8nServer(paths, userFolder, { port, env });
		const pgid = proc.pid as number;
		child = proc;
		registerGroup(pgid);
		proc.stdout?.on('data', appendLog);
		proc.stderr?.on('data', appendLog);
		let exitCode: number | string | null | undefined;
		exited = new Promise((resolve) => {
			// 'close', not 'exit': the last output of a failing n8n arrives after 'exit'
			proc.once('close', (code, signal) => {
				exitCode = code ?? signal;
				forgetGroup(pgid);
				// the runners of a crashed n8n would otherwise outlive it
				killGroup(pgid, 'SIGKILL');
				resolve();
			});
		});
		const pending = [
			{ path: '', method: 'GET', health: true },
			...probes.map((p) => ({ ...p, health: false })),
		];
		while (pending.length > 0) {
			if (exitCode !== undefined) {
				throw new Error(`n8n exited (${exitCode}) before it was ready:\n${logText.slice(-5000)}`);
			}
			if (Date.now() - started > readyTimeoutMs) {
				const waiting = pending.map((p) =>
					p.health ? '/healthz' : `${p.method} /webhook/${p.path}`,
				);
				await stopProcess();
				throw new Error(
					`n8n not ready after ${readyTimeoutMs} ms (waiting for ${waiting.join(', ')}):\n${logText.slice(-5000)}`,
				);
			}
			const probe = pending[0];
			const ready = probe.health
				? await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) })
						.then((r) => r.ok)
						.catch(() => false)
				: await webhookLive(baseUrl, probe.path, probe.method ?? 'POST');
			if (ready) pending.shift();
			else await sleep(250);
		}
	};

	const stopProcess = async (signal: NodeJS.Signals = 'SIGTERM') => {
		const proc = child;
		if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
		killGroup(proc.pid as number, signal);
		const timer = setTimeout(() => killGroup(proc.pid as number, 'SIGKILL'), STOP_GRACE_MS);
		await exited;
		clearTimeout(timer);
	};

	try {
		await launch();
	} catch (error) {
		await stopProcess('SIGKILL');
		if (createdFolder) rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}

	const instance: N8nInstance = {
		baseUrl,
		port,
		userFolder,
		paths,
		workflowIds: workflows.map((workflow) => workflow.id),
		webhookUrl: (path) => `${baseUrl}/webhook/${path.replace(/^\/+/, '')}`,
		async stop() {
			await stopProcess();
			if (createdFolder && !process.env.WEHUB_E2E_KEEP_USER_FOLDER) {
				rmSync(userFolder, { recursive: true, force: true });
			}
		},
		async restart() {
			await stopProcess();
			await launch();
		},
		async kill(signal = 'SIGKILL') {
			const proc = child;
			if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
			killGroup(proc.pid as number, signal);
			await exited;
		},
		listExecutions: (workflowId, listOptions) =>
			listExecutions(paths, userFolder, { workflowId, withData: listOptions?.withData }),
		async waitForExecutions(workflowId, count, waitOptions = {}) {
			const deadline = Date.now() + (waitOptions.timeoutMs ?? 30_000);
			for (;;) {
				const executions = await listExecutions(paths, userFolder, {
					workflowId,
					withData: waitOptions.withData,
				});
				const finished = executions.filter((execution) => FINISHED_STATUSES.has(execution.status));
				if (finished.length >= count) return finished;
				if (Date.now() > deadline) {
					throw new Error(
						`expected ${count} finished executions of workflow ${workflowId}, found ${finished.length} ` +
							`(${executions.map((e) => e.status).join(', ') || 'none'})`,
					);
				}
				await sleep(250);
			}
		},
		async nodeTypes() {
			// n8n writes the loaded types for its editor shortly after start-up.
			const file = nodeTypesFile(userFolder);
			const deadline = Date.now() + 30_000;
			while (!existsSync(file) && Date.now() < deadline) await sleep(250);
			const types = JSON.parse(readFileSync(file, 'utf8')) as Array<{ name: string }>;
			return [...new Set(types.map((type) => type.name))];
		},
		logs: () => logText,
	};
	return instance;
}
