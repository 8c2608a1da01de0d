// Runs n8n's own CLI (import, publish/activate) against a user folder, on Node 24. Every call boots
// n8n (a few seconds), so callers batch: one import per kind, then one activation per workflow.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { n8nEnv } = require('./env');

/** @import { ChildProcess, StdioOptions } from 'child_process' */
/** @import { RuntimePaths } from './paths' */

/**
 * An n8n workflow as n8n exports and imports it (only the fields the runtime reads are typed).
 * @typedef {{
 *   id?: string,
 *   name: string,
 *   nodes: WorkflowNodeJson[],
 *   connections: Record<string, unknown>,
 *   active?: boolean,
 *   [key: string]: unknown,
 * }} WorkflowJson
 */

/**
 * One node of a workflow (only the fields the runtime reads are typed).
 * @typedef {{
 *   name: string,
 *   type: string,
 *   webhookId?: string,
 *   parameters?: Record<string, unknown>,
 *   [key: string]: unknown,
 * }} WorkflowNodeJson
 */

/**
 * A credential with plain data; n8n encrypts `data` on import.
 * @typedef {object} CredentialJson
 * @property {string} id
 * @property {string} name
 * @property {string} type
 * @property {Record<string, unknown>} data
 */

/**
 * @typedef {object} CommandOptions
 * @property {Record<string, string>} [env] Added to the n8n environment (see n8nEnv).
 * @property {number} [port]
 */

/**
 * The environment every n8n process gets: Node 24 first on PATH, without the caller's NODE_OPTIONS
 * and NODE_ENV (jest sets NODE_ENV=test, and n8n then exits at once with code 1 and no output),
 * and without the `npm_*` variables of the `npm run` / `npx` that started the caller: n8n's
 * community-package installer runs npm, which would read them as its own configuration (e.g. the
 * machine's `cafile`, or the repository as `local_prefix`).
 * @param {RuntimePaths} paths
 * @param {Record<string, string>} env
 * @returns {NodeJS.ProcessEnv}
 */
function processEnv(paths, env) {
	const inherited = { ...process.env };
	for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'JEST_WORKER_ID']) delete inherited[name];
	for (const name of Object.keys(inherited)) {
		if (/^npm_/i.test(name)) delete inherited[name];
	}
	return {
		...inherited,
		PATH: `${paths.nodeBinDir}${path.delimiter}${process.env.PATH}`,
		...env,
	};
}

/**
 * CLI runs still going; killed if the caller exits first (e.g. a test timed out).
 * @type {Set<ChildProcess>}
 */
const runningCommands = new Set();
process.on('exit', () => {
	for (const child of runningCommands) child.kill('SIGKILL');
});

/**
 * Runs `n8n <args>`; resolves with its output (stdout and stderr), rejects on a non-zero exit.
 * @param {RuntimePaths} paths
 * @param {string} userFolder
 * @param {string[]} args
 * @param {CommandOptions} [options]
 * @returns {Promise<string>}
 */
function runN8nCommand(paths, userFolder, args, { env = {}, port = 5678 } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(paths.nodeBin, [paths.n8nBin, ...args], {
			env: processEnv(paths, n8nEnv({ userFolder, port, extra: env })),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		runningCommands.add(child);
		child.on('exit', () => runningCommands.delete(child));
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('error', reject);
		child.on('exit', (code) => {
			if (code === 0) resolve(output);
			else reject(new Error(`n8n ${args.join(' ')} failed (exit code ${code}):\n${output.trim()}`));
		});
	});
}

/**
 * Writes one JSON file per entry into a scratch folder, for `import:* --separate --input=<dir>`.
 * @param {string} kind
 * @param {unknown[]} entries
 */
function writeImportFolder(kind, entries) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wehub-n8n-${kind}-`));
	entries.forEach((entry, index) => {
		fs.writeFileSync(
			path.join(dir, `${String(index).padStart(3, '0')}.json`),
			JSON.stringify(entry),
		);
	});
	return dir;
}

/**
 * @param {RuntimePaths} paths
 * @param {string} userFolder
 * @param {'credentials' | 'workflow'} kind
 * @param {unknown[]} entries
 * @param {CommandOptions} [options]
 * @returns {Promise<void>}
 */
async function importEntries(paths, userFolder, kind, entries, options) {
	if (entries.length === 0) return;
	const dir = writeImportFolder(kind, entries);
	try {
		await runN8nCommand(
			paths,
			userFolder,
			[`import:${kind}`, '--separate', `--input=${dir}`],
			options,
		);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * Credentials with plain `data` (an object): n8n encrypts it with the user folder's key on import.
 * An entry with an existing id overwrites that credential.
 * @param {RuntimePaths} paths
 * @param {string} userFolder
 * @param {CredentialJson[]} credentials
 * @param {CommandOptions} [options]
 */
function importCredentials(paths, userFolder, credentials, options) {
	return importEntries(paths, userFolder, 'credentials', credentials, options);
}

/**
 * Workflows are imported inactive; an entry with an existing id overwrites that workflow.
 * @param {RuntimePaths} paths
 * @param {string} userFolder
 * @param {WorkflowJson[]} workflows
 * @param {CommandOptions} [options]
 */
function importWorkflows(paths, userFolder, workflows, options) {
	return importEntries(paths, userFolder, 'workflow', workflows, options);
}

/**
 * Marks a workflow active in the database (n8n activates it when it starts): 2.x publishes its
 * current version, 1.x sets the active flag.
 * @param {RuntimePaths} paths
 * @param {string} userFolder
 * @param {string} workflowId
 * @param {CommandOptions} [options]
 */
function activateWorkflow(paths, userFolder, workflowId, options) {
	const args =
		paths.major >= 2
			? ['publish:workflow', `--id=${workflowId}`]
			: ['update:workflow', `--id=${workflowId}`, '--active=true'];
	return runN8nCommand(paths, userFolder, args, options);
}

module.exports = {
	processEnv,
	runN8nCommand,
	importCredentials,
	importWorkflows,
	activateWorkflow,
};

/**
 * Starts `n8n start` (or, for queue mode, `n8n webhook` / `n8n worker`) in its own process group,
 * so stopping it also stops its task runners.
 * @param {RuntimePaths} paths
 * @param {string} userFolder
 * @param {object} options
 * @param {number} options.port
 * @param {Record<string, string>} [options.env]
 * @param {StdioOptions} [options.stdio] Default 'pipe': stdout and stderr piped, no stdin.
 * @param {'start' | 'webhook' | 'worker'} [options.command]
 * @returns {ChildProcess}
 */
function spawnN8nServer(paths, userFolder, { port, env = {}, stdio = 'pipe', command = 'start' }) {
	return spawn(paths.nodeBin, [paths.n8nBin, command], {
		env: processEnv(paths, n8nEnv({ userFolder, port, extra: env })),
		stdio: stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : stdio,
		detached: true,
	});
}

module.exports.spawnN8nServer = spawnN8nServer;
