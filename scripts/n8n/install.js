// Installs, once, a pinned real n8n and the Node 24 it runs on into .n8n-runtime/, from the npm
// registry only. A finished install leaves a marker; the next call checks it and returns at once.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { NODE_PACKAGE_SPEC, runtimePaths } = require('./paths');

/** @import { RuntimePaths } from './paths' */
/** @typedef {(message: string) => void} Log */

/**
 * What a finished install leaves in `installMarker`.
 * @typedef {object} InstallMarker
 * @property {string} version
 * @property {string} node
 * @property {string[]} nativeModules Their folders, relative to `n8nRoot`.
 * @property {string} installedAt
 * @property {number} seconds
 */

/**
 * Native modules n8n needs to start; everything else is installed with --ignore-scripts. Each is
 * built from source only when it does not load as installed (isolated-vm ships prebuilt binaries
 * for Node 24; sqlite3 would download its binary from GitHub, so it is always built here).
 */
const NATIVE_MODULES = ['sqlite3', 'isolated-vm'];

/** @type {Log} */
function defaultLog(message) {
	console.log(`[n8n-runtime] ${message}`);
}

/**
 * Whole seconds since `since` (a Date.now() value), as text.
 * @param {number} since
 */
function seconds(since) {
	return ((Date.now() - since) / 1000).toFixed(0);
}

/**
 * Node 24's bin first on PATH, so npm and node-gyp build against Node 24 and its headers.
 * @param {RuntimePaths} paths
 * @param {Record<string, string>} [extra]
 * @returns {NodeJS.ProcessEnv}
 */
function node24Env(paths, extra = {}) {
	return {
		...process.env,
		PATH: `${paths.nodeBinDir}${path.delimiter}${process.env.PATH}`,
		npm_config_nodedir: paths.nodeHome,
		npm_config_audit: 'false',
		npm_config_fund: 'false',
		npm_config_update_notifier: 'false',
		...extra,
	};
}

/** @param {string} dir */
function countInstalledPackages(dir) {
	const modules = path.join(dir, 'node_modules');
	let count = 0;
	let entries;
	try {
		entries = fs.readdirSync(modules);
	} catch {
		return 0;
	}
	for (const entry of entries) {
		if (entry.startsWith('.')) continue;
		if (entry.startsWith('@')) {
			try {
				count += fs.readdirSync(path.join(modules, entry)).length;
			} catch {
				// a scope folder being written right now
			}
		} else count++;
	}
	return count;
}

/**
 * Runs a command, forwarding its output, and prints a heartbeat so CI logs show progress during
 * long silent phases (npm prints nothing while it downloads when stdout is not a terminal).
 * @param {string} command
 * @param {string[]} args
 * @param {object} options
 * @param {string} options.cwd
 * @param {NodeJS.ProcessEnv} options.env
 * @param {Log} options.log
 * @param {string} options.label Names the step in the log.
 * @param {boolean} [options.countPackages] Whether the heartbeat counts what npm unpacked so far.
 * @returns {Promise<void>}
 */
function runStep(command, args, { cwd, env, log, label, countPackages = false }) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		log(`${label}: ${command} ${args.join(' ')}`);
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
		const heartbeat = setInterval(() => {
			const packages = countPackages ? `, ${countInstalledPackages(cwd)} packages unpacked` : '';
			log(`${label}: ${seconds(started)} s${packages}`);
		}, 15000);
		child.on('error', (error) => {
			clearInterval(heartbeat);
			reject(error);
		});
		child.on('exit', (code, signal) => {
			clearInterval(heartbeat);
			if (code === 0) {
				log(`${label}: done in ${seconds(started)} s`);
				resolve();
			} else reject(new Error(`${label} failed (${signal ?? `exit code ${code}`})`));
		});
	});
}

/**
 * @param {string} file
 * @param {unknown} value
 */
function writeJson(file, value) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify(value, null, '\t')}\n`);
}

/**
 * The parsed file; undefined when it is missing or not JSON.
 * @param {string} file
 * @returns {any}
 */
function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

/**
 * @param {RuntimePaths} paths
 * @returns {string | undefined} e.g. "v24.3.0"
 */
function node24Version(paths) {
	if (!fs.existsSync(paths.nodeBin)) return undefined;
	const result = spawnSync(paths.nodeBin, ['--version'], { encoding: 'utf8' });
	return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * @param {RuntimePaths} paths
 * @param {Log} log
 * @returns {Promise<string>} The installed version.
 */
async function ensureNode24(paths, log) {
	const version = node24Version(paths);
	if (version?.startsWith('v24.')) return version;
	log(`installing Node 24 from the npm package ${NODE_PACKAGE_SPEC} into ${paths.nodeRoot}`);
	writeJson(path.join(paths.nodeRoot, 'package.json'), {
		name: 'wehub-n8n-node24',
		private: true,
		description: 'Node 24 for the local n8n (installed by scripts/n8n-install.js)',
	});
	await runStep(
		'npm',
		['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', NODE_PACKAGE_SPEC],
		{
			cwd: paths.nodeRoot,
			env: process.env,
			log,
			label: 'node 24',
		},
	);
	const installed = node24Version(paths);
	if (!installed?.startsWith('v24.')) {
		throw new Error(`${paths.nodeBin} is not a working Node 24 (got ${installed ?? 'nothing'})`);
	}
	return installed;
}

/**
 * @param {RuntimePaths} paths
 * @returns {string | undefined}
 */
function installedN8nVersion(paths) {
	return readJson(path.join(paths.n8nPackageDir, 'package.json'))?.version;
}

/**
 * The native module folder as npm placed it (hoisted, or nested under a dependent).
 * @param {RuntimePaths} paths
 * @param {string} name
 * @returns {string | undefined}
 */
function findPackageDir(paths, name) {
	const hoisted = path.join(paths.n8nRoot, 'node_modules', name);
	if (fs.existsSync(path.join(hoisted, 'package.json'))) return hoisted;
	const nested = spawnSync(
		'find',
		[
			path.join(paths.n8nRoot, 'node_modules'),
			'-type',
			'd',
			'-path',
			`*/node_modules/${name}`,
			'-prune',
		],
		{
			encoding: 'utf8',
		},
	);
	return nested.stdout
		.split('\n')
		.find((dir) => dir && fs.existsSync(path.join(dir, 'package.json')));
}

/**
 * Loads each native module on Node 24 from its own folder; returns the ones that fail.
 * @param {RuntimePaths} paths
 * @param {string[]} dirs
 * @returns {string[]}
 */
function unloadableModules(paths, dirs) {
	if (dirs.length === 0) return [];
	const probe = `for (const dir of ${JSON.stringify(dirs)}) { try { require(dir); } catch { console.log(dir); } }`;
	const result = spawnSync(paths.nodeBin, ['-e', probe], { encoding: 'utf8' });
	if (result.status !== 0) return dirs;
	return result.stdout.split('\n').filter(Boolean);
}

/**
 * Whether `paths` hold a finished install of their n8n version, on a working Node 24, with every
 * native module loading.
 * @param {RuntimePaths} paths
 */
function isHealthy(paths) {
	/** @type {InstallMarker | undefined} */
	const marker = readJson(paths.installMarker);
	if (!marker || marker.version !== paths.version) return false;
	if (installedN8nVersion(paths) !== paths.version) return false;
	if (!node24Version(paths)?.startsWith('v24.')) return false;
	const nativeDirs = (marker.nativeModules || []).map((dir) => path.resolve(paths.n8nRoot, dir));
	return unloadableModules(paths, nativeDirs).length === 0;
}

/**
 * @param {RuntimePaths} paths
 * @param {Log} log
 * @returns {Promise<string[]>} The folders of the native modules n8n has.
 */
async function buildNativeModules(paths, log) {
	const dirs = [];
	for (const name of NATIVE_MODULES) {
		const dir = findPackageDir(paths, name);
		if (!dir) {
			log(`${name}: not part of n8n ${paths.version}, nothing to build`);
			continue;
		}
		dirs.push(dir);
		const version = readJson(path.join(dir, 'package.json'))?.version;
		if (unloadableModules(paths, [dir]).length === 0) {
			log(`${name}@${version}: loads on Node 24 as installed, no build needed`);
			continue;
		}
		// npm rebuild takes package names; a nested copy is rebuilt from its own folder with node-gyp.
		const hoisted = path.dirname(dir) === path.join(paths.n8nRoot, 'node_modules');
		const [command, args] = hoisted
			? [
					'npm',
					[
						'rebuild',
						name,
						'--build-from-source',
						'--foreground-scripts',
						'--ignore-scripts=false',
					],
				]
			: ['npm', ['exec', '--', 'node-gyp', 'rebuild', '--release']];
		await runStep(command, args, {
			cwd: hoisted ? paths.n8nRoot : dir,
			env: node24Env(paths, { npm_config_build_from_source: 'true', JOBS: '2' }),
			log,
			label: `build ${name}@${version} (about 1 min)`,
		});
		if (unloadableModules(paths, [dir]).length > 0) {
			throw new Error(`${name} was built but still does not load on Node 24`);
		}
	}
	return dirs;
}

/**
 * Installs the pinned n8n (and Node 24) unless a healthy install of that version is already there.
 * Returns the runtime paths.
 * @param {object} [options]
 * @param {string} [options.version] Default: N8N_VERSION, else the pinned version.
 * @param {Log} [options.log]
 * @returns {Promise<RuntimePaths>}
 */
async function ensureN8nInstalled({ version, log = defaultLog } = {}) {
	const paths = runtimePaths(version);
	if (isHealthy(paths)) return paths;
	const started = Date.now();
	log(
		`installing n8n ${paths.version} into ${paths.n8nRoot} (once; about 4-5 minutes on a cold ` +
			'machine with 2 cores: npm install about 3 minutes, building sqlite3 about 1 minute)',
	);
	const nodeVersion = await ensureNode24(paths, log);
	log(`using Node ${nodeVersion} at ${paths.nodeBin}`);

	fs.rmSync(paths.installMarker, { force: true });
	writeJson(path.join(paths.n8nRoot, 'package.json'), {
		name: `wehub-n8n-${paths.version}`,
		private: true,
		description:
			'A pinned n8n for local runs and end-to-end tests (installed by scripts/n8n-install.js)',
		// n8n depends on xlsx through a tarball outside the npm registry; 0.18.5 is on the registry.
		overrides: { xlsx: '0.18.5' },
	});
	// --ignore-scripts: some of n8n's node dependencies download native libraries from outside npm;
	// the few native modules n8n itself needs are built from source below, against Node 24's headers.
	await runStep(
		'npm',
		[
			'install',
			'--no-audit',
			'--no-fund',
			'--ignore-scripts',
			'--save-exact',
			`n8n@${paths.version}`,
		],
		{
			cwd: paths.n8nRoot,
			env: node24Env(paths),
			log,
			label: `npm install n8n@${paths.version} (about 3 min cold)`,
			countPackages: true,
		},
	);
	const nativeModules = await buildNativeModules(paths, log);
	writeJson(paths.installMarker, {
		version: paths.version,
		node: nodeVersion,
		nativeModules: nativeModules.map((dir) => path.relative(paths.n8nRoot, dir)),
		installedAt: new Date().toISOString(),
		seconds: Number(seconds(started)),
	});
	log(`n8n ${paths.version} installed in ${seconds(started)} s`);
	return paths;
}

module.exports = {
	ensureN8nInstalled,
	isHealthy,
	node24Env,
	ensureNode24,
	runStep,
	writeJson,
	readJson,
};
