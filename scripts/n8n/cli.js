// Runs n8n's own CLI (import, publish/activate) against a user folder, on Node 24. Every call boots
// n8n (a few seconds), so callers batch: one import per kind, then one activation per workflow.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { n8nEnv } = require('./env');

/**
 * The environment every n8n process gets: Node 24 first on PATH, without the caller's NODE_OPTIONS
 * and NODE_ENV (jest sets NODE_ENV=test, and n8n then exits at once with code 1 and no output).
 */
function processEnv(paths, env) {
	const inherited = { ...process.env };
	for (const name of ['NODE_OPTIONS', 'NODE_ENV', 'JEST_WORKER_ID']) delete inherited[name];
	return {
		...inherited,
		PATH: `${paths.nodeBinDir}${path.delimiter}${process.env.PATH}`,
		...env,
	};
}

/** CLI runs still going; killed if the caller exits first (e.g. a test timed out). */
const runningCommands = new Set();
process.on('exit', () => {
	for (const child of runningCommands) child.kill('SIGKILL');
});

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

/** Writes one JSON file per entry into a scratch folder, for `import:* --separate --input=<dir>`. */
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
 */
function importCredentials(paths, userFolder, credentials, options) {
	return importEntries(paths, userFolder, 'credentials', credentials, options);
}

/** Workflows are imported inactive; an entry with an existing id overwrites that workflow. */
function importWorkflows(paths, userFolder, workflows, options) {
	return importEntries(paths, userFolder, 'workflow', workflows, options);
}

/**
 * Marks a workflow active in the database (n8n activates it when it starts): 2.x publishes its
 * current version, 1.x sets the active flag.
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
 */
function spawnN8nServer(paths, userFolder, { port, env = {}, stdio = 'pipe', command = 'start' }) {
	return spawn(paths.nodeBin, [paths.n8nBin, command], {
		env: processEnv(paths, n8nEnv({ userFolder, port, extra: env })),
		stdio: stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : stdio,
		detached: true,
	});
}

module.exports.spawnN8nServer = spawnN8nServer;
