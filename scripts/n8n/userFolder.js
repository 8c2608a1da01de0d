// Prepares an n8n user folder: this package is linked where n8n looks for installed community
// packages, as `npm install n8n-nodes-wehub` in ~/.n8n/nodes would place it.
'use strict';
const fs = require('fs');
const path = require('path');
const { REPO_ROOT } = require('./paths');

const { name: PACKAGE_NAME, version: PACKAGE_VERSION } =
	/** @type {{ name: string, version: string }} */ (require(path.join(REPO_ROOT, 'package.json')));

/** @param {string} userFolder */
function nodesDir(userFolder) {
	return path.join(userFolder, '.n8n', 'nodes');
}

/** @param {string} userFolder */
function databaseFile(userFolder) {
	return path.join(userFolder, '.n8n', 'database.sqlite');
}

/**
 * Symlinks the repository into <userFolder>/.n8n/nodes/node_modules/<package name> (idempotent).
 * @param {string} userFolder
 * @returns {string} The link.
 */
function linkThisPackage(userFolder) {
	const dir = nodesDir(userFolder);
	const link = path.join(dir, 'node_modules', PACKAGE_NAME);
	fs.mkdirSync(path.dirname(link), { recursive: true });
	// n8n 2.x rebuilds this ledger from its database when it lists no dependencies.
	const manifest = path.join(dir, 'package.json');
	const ledger = {
		name: 'installed-nodes',
		private: true,
		dependencies: { [PACKAGE_NAME]: PACKAGE_VERSION },
	};
	fs.writeFileSync(manifest, `${JSON.stringify(ledger, null, '\t')}\n`);
	let current;
	try {
		current = fs.readlinkSync(link);
	} catch {
		current = undefined;
	}
	if (current !== REPO_ROOT) {
		fs.rmSync(link, { recursive: true, force: true });
		fs.symlinkSync(REPO_ROOT, link, 'dir');
	}
	return link;
}

/**
 * The built node and credential files n8n will load (listed in package.json's "n8n" section).
 * @returns {Array<{ file: string, exists: boolean }>}
 */
function builtFiles() {
	const manifest = require(path.join(REPO_ROOT, 'package.json')).n8n;
	return [...manifest.nodes, ...manifest.credentials].map((file) => ({
		file: path.join(REPO_ROOT, file),
		exists: fs.existsSync(path.join(REPO_ROOT, file)),
	}));
}

/**
 * The newest modification time of the build's inputs (TypeScript, icons, codex and JSON files)
 * under `dir`, 0 when it does not exist: dist/ is stale when a source is newer than it.
 * @param {string} dir
 * @returns {number}
 */
function newestSourceMtime(dir) {
	if (!fs.existsSync(dir)) return 0;
	let newest = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
		else if (/\.(ts|svg|png|json)$/.test(entry.name)) {
			newest = Math.max(newest, fs.statSync(full).mtimeMs);
		}
	}
	return newest;
}

/**
 * The node types n8n loaded, as it wrote them for its editor (after start-up).
 * @param {string} userFolder
 */
function nodeTypesFile(userFolder) {
	return path.join(userFolder, '.cache', 'n8n', 'public', 'types', 'nodes.json');
}

module.exports = {
	PACKAGE_NAME,
	nodesDir,
	nodeTypesFile,
	databaseFile,
	linkThisPackage,
	builtFiles,
	newestSourceMtime,
};
