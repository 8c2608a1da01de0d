// n8n in queue mode on one machine, each process as if on its own host: PostgreSQL, Redis, the
// main process, `n8n webhook` processes (behind a round-robin balancer when there are several)
// and an `n8n worker`, sharing only the database, Redis and the encryption key.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {
	activateWorkflow,
	ensureN8nInstalled,
	importCredentials,
	importWorkflows,
	linkThisPackage,
	spawnN8nServer,
	webhookLive,
} = require('../n8n');
const { startBalancer } = require('./balancer');
const { startManagedProcess } = require('./managedProcess');
const { startPostgres } = require('./postgres');
const { startRedis } = require('./redis');

/** @import { CredentialJson, RuntimePaths, WorkflowJson } from '../n8n' */
/** @import { Balancer } from './balancer' */
/** @import { ManagedProcess, ProcessHooks } from './managedProcess' */
/** @import { ClusterPorts } from './ports' */
/** @import { RunningPostgres } from './postgres' */
/** @import { RunningRedis } from './redis' */

/**
 * @typedef {object} QueueClusterOptions
 * @property {ClusterPorts} ports
 * @property {number} [webhookProcesses] Default 1; with more, a balancer in front of them.
 * @property {CredentialJson[] | ((cluster: { redis: RunningRedis }) => CredentialJson[])}
 *   [credentials]
 * @property {WorkflowJson[]} [workflows]
 * @property {string[]} [activate] Ids of the workflows to activate; default: every workflow not
 *   marked `active: false`.
 * @property {string[]} [readyPaths] Webhook paths each webhook process must serve before it
 *   counts as ready.
 * @property {Record<string, string>} [env] Extra environment for every n8n process.
 * @property {Record<string, string>} [workerEnv] Extra environment for the worker.
 * @property {string} [folder] A folder to keep everything in; default: a fresh temporary one,
 *   removed by stop().
 * @property {ProcessHooks} [hooks]
 * @property {(message: string) => void} [log]
 * @property {(text: string) => void} [echo] Gets every process's output as it comes.
 * @property {string} [version] The n8n version (default: N8N_VERSION, else the pinned one).
 */

/**
 * @typedef {object} QueueCluster
 * @property {RuntimePaths} paths
 * @property {string} folder
 * @property {RunningPostgres} postgres
 * @property {RunningRedis} redis
 * @property {Balancer} [balancer] Only with more than one webhook process.
 * @property {string} publicUrl What WeHub is given: the balancer, or the only webhook process.
 * @property {string[]} webhookBases
 * @property {ManagedProcess} main
 * @property {ManagedProcess[]} webhooks
 * @property {ManagedProcess} worker The current one (restartWorker replaces it).
 * @property {(path: string) => string} webhookUrl The production URL of a webhook path.
 * @property {() => Promise<void>} killWorker SIGKILLs the worker (no graceful shutdown, as a
 *   crashed host).
 * @property {() => Promise<ManagedProcess>} restartWorker
 * @property {() => string} logs The last output of every n8n process.
 * @property {(options?: { removeFolder?: boolean }) => Promise<void>} stop Stops everything and,
 *   when `removeFolder` (default: when the folder was a fresh temporary one), deletes it.
 */

/**
 * @param {string} url
 * @param {RequestInit} [init]
 */
async function isOk(url, init) {
	try {
		const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
		await response.arrayBuffer();
		return response.ok;
	} catch {
		return false;
	}
}

/**
 * Starts the whole cluster. `ports` must hold free loopback ports: postgres, redis, main,
 * balancer, one per webhook process, worker health and one task-runner broker per n8n process.
 * `credentials` may be a function of `{redis}` (to point a WeHub credential at the Redis store).
 * @param {QueueClusterOptions} options
 * @returns {Promise<QueueCluster>}
 */
async function startQueueCluster({
	ports,
	webhookProcesses = 1,
	credentials = [],
	workflows = [],
	activate,
	readyPaths = [],
	env = {},
	workerEnv = {},
	folder,
	hooks,
	log = () => {},
	echo,
	version,
}) {
	const paths = await ensureN8nInstalled({ version, log });
	const root = folder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wehub-queue-'));
	fs.chmodSync(root, 0o711); // PostgreSQL may run as another user and must reach its folder
	/** @type {ManagedProcess[]} */
	const started = [];
	/** @type {Array<() => Promise<void>>} */
	const cleanups = [];
	const stopAll = async () => {
		for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
	};
	try {
		log(`starting PostgreSQL on 127.0.0.1:${ports.postgres}`);
		const postgres = await startPostgres({
			port: ports.postgres,
			folder: path.join(root, 'postgres'),
			hooks,
		});
		cleanups.push(() => postgres.stop({ removeFolder: false }));
		log(`starting Redis on 127.0.0.1:${ports.redis}`);
		const redis = await startRedis({ port: ports.redis, hooks });
		cleanups.push(() => redis.stop());

		const webhookBases = ports.webhooks
			.slice(0, webhookProcesses)
			.map((port) => `http://localhost:${port}`);
		const balancer =
			webhookProcesses > 1
				? await startBalancer({ port: ports.balancer, upstreams: webhookBases })
				: undefined;
		if (balancer) cleanups.push(() => balancer.close());
		const publicUrl = balancer ? balancer.url : webhookBases[0];

		const sharedEnv = {
			...postgres.n8nEnv(),
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('hex'),
			// What WeHub is given: the webhook processes (through the balancer when several).
			WEBHOOK_URL: `${publicUrl}/`,
			...env,
		};
		/** @param {string} role */
		const folderOf = (role) => {
			const userFolder = path.join(root, role);
			fs.mkdirSync(userFolder, { recursive: true });
			linkThisPackage(userFolder); // every process loads the package from its own folder
			return userFolder;
		};

		const mainFolder = folderOf('main');
		const creds = typeof credentials === 'function' ? credentials({ redis }) : credentials;
		log('importing credentials and workflows into PostgreSQL');
		const cli = { env: sharedEnv, port: ports.main };
		await importCredentials(paths, mainFolder, creds, cli);
		await importWorkflows(paths, mainFolder, workflows, cli);
		for (const id of activate ?? workflows.filter((w) => w.active !== false).map(idToActivate)) {
			await activateWorkflow(paths, mainFolder, id, cli);
		}

		const freeRunnerPorts = [...ports.runners];
		/** @type {Map<string, number | undefined>} */
		const runnerPortOf = new Map(); // per role, so a restarted worker gets its own port back
		/**
		 * @param {string} role
		 * @param {'start' | 'webhook' | 'worker'} command
		 * @param {number} port
		 * @param {() => Promise<boolean>} ready
		 * @param {Record<string, string>} [extraEnv]
		 */
		const startN8n = async (role, command, port, ready, extraEnv = {}) => {
			const userFolder = folderOf(role);
			if (!runnerPortOf.has(role)) runnerPortOf.set(role, freeRunnerPorts.shift());
			const brokerPort = runnerPortOf.get(role);
			if (brokerPort === undefined) throw new Error('not enough runner broker ports');
			const child = spawnN8nServer(paths, userFolder, {
				port,
				command,
				env: { ...sharedEnv, N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...extraEnv },
			});
			const handle = await startManagedProcess(`n8n ${role}`, '', [], {
				child,
				ready,
				hooks,
				echo,
			});
			started.push(handle);
			return handle;
		};

		log(`starting n8n main on :${ports.main}`);
		const mainBase = `http://localhost:${ports.main}`;
		const main = await startN8n('main', 'start', ports.main, () => isOk(`${mainBase}/healthz`), {
			// Production webhooks go to the webhook processes only.
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
		});
		cleanups.push(() => main.stop());

		/** @type {ManagedProcess[]} */
		const webhooks = [];
		for (const [index, base] of webhookBases.entries()) {
			log(`starting n8n webhook ${index + 1} on ${base}`);
			const port = ports.webhooks[index];
			const handle = await startN8n(`webhook${index + 1}`, 'webhook', port, async () => {
				if (!(await isOk(`${base}/healthz`))) return false;
				for (const webhookPath of readyPaths) {
					if (!(await webhookLive(base, webhookPath))) return false;
				}
				return true;
			});
			cleanups.push(() => handle.stop());
			webhooks.push(handle);
		}

		const workerHealth = `http://localhost:${ports.workerHealth}/healthz/readiness`;
		const startWorker = async () => {
			log(`starting n8n worker (health on :${ports.workerHealth})`);
			return await startN8n('worker', 'worker', ports.workerHealth, () => isOk(workerHealth), {
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(ports.workerHealth),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				...workerEnv,
			});
		};
		/** @type {QueueCluster} */
		const cluster = {
			paths,
			folder: root,
			postgres,
			redis,
			balancer,
			publicUrl,
			webhookBases,
			main,
			webhooks,
			worker: await startWorker(),
			webhookUrl: (webhookPath) => `${publicUrl}/webhook/${webhookPath.replace(/^\/+/, '')}`,
			/** SIGKILLs the worker (no graceful shutdown, as a crashed host). */
			async killWorker() {
				await cluster.worker.kill('SIGKILL');
			},
			async restartWorker() {
				await cluster.worker.stop();
				cluster.worker = await startWorker();
				return cluster.worker;
			},
			logs: () =>
				[main, ...webhooks, cluster.worker]
					.map((p) => `----- ${p.name}\n${p.logs().slice(-20_000)}`)
					.join('\n'),
			async stop({ removeFolder = folder === undefined } = {}) {
				await cluster.worker.stop();
				await stopAll();
				if (removeFolder) fs.rmSync(root, { recursive: true, force: true });
			},
		};
		return cluster;
	} catch (error) {
		for (const handle of started) await handle.kill('SIGKILL');
		await stopAll();
		if (folder === undefined) fs.rmSync(root, { recursive: true, force: true });
		throw error;
	}
}

/**
 * @param {WorkflowJson} workflow
 * @returns {string}
 */
function idToActivate(workflow) {
	if (workflow.id === undefined) {
		throw new Error(
			`workflow "${workflow.name}" has no id to activate it by: give it one (withStableIds)`,
		);
	}
	return workflow.id;
}

module.exports = { startQueueCluster };
