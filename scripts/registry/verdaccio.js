// A throw-away npm registry on loopback (verdaccio), to install this package the way users do:
// `npm publish` to it, then npm or n8n's own installer installs from it. Everything else it serves
// comes from the registry this machine's npm uses (read from `npm config get registry` at run time).
// Verdaccio is installed once, like the n8n runtime, into the ignored .n8n-runtime folder; it runs
// on that runtime's Node 24 (verdaccio 6.10 needs Node >= 22).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { RUNTIME_DIR, runtimePaths } = require('../n8n/paths');
const { ensureNode24, node24Env, readJson, runStep, writeJson } = require('../n8n/install');
const { freePort } = require('../queue/ports');
const { startManagedProcess } = require('../queue/managedProcess');

/** @import { ManagedProcess, ProcessHooks } from '../queue/managedProcess' */
/** @typedef {(message: string) => void} Log */

const VERDACCIO_VERSION = '6.10.4';
/** The one account of the registry; its token publishes. */
const PUBLISHER = { name: 'wehub-publisher', password: 'wehub-local-registry-1' };

/**
 * @typedef {object} LocalRegistry
 * @property {string} url e.g. "http://127.0.0.1:4873/" (with the trailing slash npm writes)
 * @property {number} port
 * @property {string} token An auth token of the publisher account.
 * @property {string} upstream The registry it serves every other package from.
 * @property {ManagedProcess} server
 * @property {() => Promise<void>} stop Stops verdaccio and removes its storage.
 */

/** @type {Log} */
function defaultLog(message) {
	console.log(`[registry] ${message}`);
}

function verdaccioPaths() {
	const root = path.join(RUNTIME_DIR, `verdaccio-${VERDACCIO_VERSION}`);
	return {
		root,
		bin: path.join(root, 'node_modules', 'verdaccio', 'bin', 'verdaccio'),
		marker: path.join(root, '.wehub-install.json'),
	};
}

/**
 * The registry this machine's npm installs from, as `npm config get registry` says.
 * @returns {string}
 */
function upstreamRegistry() {
	const url = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
	if (!/^https?:\/\//.test(url)) throw new Error(`npm config get registry gave "${url}"`);
	return url;
}

/**
 * Installs verdaccio (and the runtime's Node 24) once; later calls return at once.
 * @param {object} [options]
 * @param {Log} [options.log]
 * @returns {Promise<{ nodeBin: string, bin: string }>}
 */
async function ensureVerdaccioInstalled({ log = defaultLog } = {}) {
	const paths = runtimePaths();
	const verdaccio = verdaccioPaths();
	const installed = () =>
		readJson(verdaccio.marker)?.version === VERDACCIO_VERSION && fs.existsSync(verdaccio.bin);
	if (installed()) {
		await ensureNode24(paths, log);
		return { nodeBin: paths.nodeBin, bin: verdaccio.bin };
	}
	// Test files running side by side install it once: the first takes the lock, the others wait.
	const release = await takeLock(`${verdaccio.root}.lock`);
	try {
		if (!installed()) await installVerdaccio(paths, verdaccio, log);
	} finally {
		release();
	}
	return { nodeBin: paths.nodeBin, bin: verdaccio.bin };
}

/**
 * A lock folder (mkdir is atomic); one older than 10 minutes is taken as left by a crash.
 * @param {string} dir
 * @returns {Promise<() => void>} Releases it.
 */
async function takeLock(dir) {
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	for (;;) {
		try {
			fs.mkdirSync(dir);
			return () => fs.rmSync(dir, { recursive: true, force: true });
		} catch {
			const age = Date.now() - (fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0);
			if (age > 10 * 60_000) fs.rmSync(dir, { recursive: true, force: true });
			else await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
}

/**
 * @param {import('../n8n/paths').RuntimePaths} paths
 * @param {ReturnType<typeof verdaccioPaths>} verdaccio
 * @param {Log} log
 */
async function installVerdaccio(paths, verdaccio, log) {
	const started = Date.now();
	log(`installing verdaccio ${VERDACCIO_VERSION} into ${verdaccio.root} (once, about 30 s)`);
	await ensureNode24(paths, log);
	fs.rmSync(verdaccio.marker, { force: true });
	writeJson(path.join(verdaccio.root, 'package.json'), {
		name: `wehub-verdaccio-${VERDACCIO_VERSION}`,
		private: true,
		description: 'A local npm registry for the install tests (installed by scripts/registry)',
		// A dependency asks for node-fetch's `cjs` dist-tag, which the registry here does not carry;
		// 2.7.0 is the CommonJS line that tag names.
		overrides: { 'node-fetch': '2.7.0' },
	});
	await runStep(
		'npm',
		[
			'install',
			'--no-audit',
			'--no-fund',
			'--ignore-scripts',
			'--save-exact',
			`verdaccio@${VERDACCIO_VERSION}`,
		],
		{ cwd: verdaccio.root, env: node24Env(paths), log, label: `npm install verdaccio` },
	);
	writeJson(verdaccio.marker, {
		version: VERDACCIO_VERSION,
		installedAt: new Date().toISOString(),
		seconds: Math.round((Date.now() - started) / 1000),
	});
}

/**
 * Verdaccio's configuration: anyone may read, the publisher account publishes; this package is
 * served only from what was published here, every other package from `upstream`.
 * @param {object} options
 * @param {string} options.folder
 * @param {string} options.upstream
 * @param {string} options.packageName
 */
function verdaccioConfig({ folder, upstream, packageName }) {
	return [
		`storage: ${JSON.stringify(path.join(folder, 'storage'))}`,
		'auth:',
		'  htpasswd:',
		`    file: ${JSON.stringify(path.join(folder, 'htpasswd'))}`,
		'    max_users: 1',
		'uplinks:',
		'  upstream:',
		`    url: ${JSON.stringify(upstream)}`,
		'    timeout: 60s',
		'packages:',
		`  ${JSON.stringify(packageName)}:`,
		'    access: $all',
		'    publish: $authenticated',
		"  '**':",
		'    access: $all',
		'    publish: $authenticated',
		'    proxy: upstream',
		'log: { type: stdout, format: pretty, level: warn }',
		'',
	].join('\n');
}

/**
 * @param {string} url
 * @returns {Promise<string>} The token of the new account.
 */
async function createPublisher(url) {
	const response = await fetch(new URL(`-/user/org.couchdb.user:${PUBLISHER.name}`, url), {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: PUBLISHER.name, password: PUBLISHER.password }),
	});
	const body = /** @type {{ token?: string }} */ (await response.json());
	if (!response.ok || !body.token) {
		throw new Error(`verdaccio refused the publisher account (${response.status})`);
	}
	return body.token;
}

/**
 * Starts verdaccio on a loopback port with a fresh storage folder (removed by stop()).
 * @param {object} options
 * @param {string} options.packageName The package published to it (never taken from upstream).
 * @param {number} [options.port] Default: a free port.
 * @param {ProcessHooks} [options.hooks]
 * @param {Log} [options.log]
 * @returns {Promise<LocalRegistry>}
 */
async function startVerdaccio({ packageName, port, hooks, log = defaultLog }) {
	const { nodeBin, bin } = await ensureVerdaccioInstalled({ log });
	const upstream = upstreamRegistry();
	const listenPort = port ?? (await freePort());
	const url = `http://127.0.0.1:${listenPort}/`;
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wehub-registry-'));
	const configFile = path.join(folder, 'config.yaml');
	fs.writeFileSync(configFile, verdaccioConfig({ folder, upstream, packageName }));
	/** @type {ManagedProcess} */
	let server;
	try {
		server = await startManagedProcess(
			'verdaccio',
			nodeBin,
			[bin, '--config', configFile, '--listen', `127.0.0.1:${listenPort}`],
			{
				env: node24Env(runtimePaths()),
				ready: async () => (await fetch(new URL('-/ping', url))).ok,
				readyTimeoutMs: 60_000,
				hooks,
			},
		);
	} catch (error) {
		fs.rmSync(folder, { recursive: true, force: true });
		throw error;
	}
	log(`verdaccio ${VERDACCIO_VERSION} on ${url}, other packages from ${upstream}`);
	/** @type {string} */
	let token;
	try {
		token = await createPublisher(url);
	} catch (error) {
		await server.stop();
		fs.rmSync(folder, { recursive: true, force: true });
		throw error;
	}
	return {
		url,
		port: listenPort,
		token,
		upstream,
		server,
		async stop() {
			await server.stop();
			fs.rmSync(folder, { recursive: true, force: true });
		},
	};
}

module.exports = { VERDACCIO_VERSION, ensureVerdaccioInstalled, startVerdaccio, upstreamRegistry };
