// This package as npm packs it (the built dist/ and package.json, nothing else), published to a
// local registry: what users install, before it is on a public registry.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile } = require('child_process');
const { promisify } = require('util');
const { REPO_ROOT } = require('../n8n/paths');

/** @import { LocalRegistry } from './verdaccio' */

const execFileAsync = promisify(execFile);

/**
 * What `npm pack --json` reports about the tarball.
 * @typedef {object} PackedPackage
 * @property {string} name
 * @property {string} version
 * @property {string} filename The tarball's name.
 * @property {number} size Bytes of the tarball.
 * @property {number} unpackedSize
 * @property {number} entryCount
 * @property {string} integrity
 */

/**
 * `npm pack` of the repository (dist/ must be built) into `folder`.
 * @param {string} folder
 * @returns {Promise<PackedPackage>}
 */
async function packPackage(folder) {
	const { stdout } = await execFileAsync('npm', ['pack', '--json', '--pack-destination', folder], {
		cwd: REPO_ROOT,
		maxBuffer: 16 * 1024 * 1024,
	});
	const [packed] = JSON.parse(stdout);
	return {
		name: packed.name,
		version: packed.version,
		filename: packed.filename,
		size: packed.size,
		unpackedSize: packed.unpackedSize,
		entryCount: packed.entryCount,
		integrity: packed.integrity,
	};
}

/**
 * The npm option that authenticates to `registry` (npm reads `//host:port/:_authToken`).
 * @param {LocalRegistry} registry
 */
function authOption(registry) {
	const { host, pathname } = new URL(registry.url);
	return `--//${host}${pathname}:_authToken=${registry.token}`;
}

/**
 * Packs this package and publishes the tarball to `registry`.
 * @param {LocalRegistry} registry
 * @returns {Promise<PackedPackage>}
 */
async function publishPackage(registry) {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wehub-pack-'));
	try {
		const packed = await packPackage(folder);
		await execFileAsync(
			'npm',
			['publish', packed.filename, '--registry', registry.url, authOption(registry)],
			{ cwd: folder },
		).catch((error) => {
			throw new Error(`npm publish to ${registry.url} failed: ${error.stderr || error.message}`);
		});
		return packed;
	} finally {
		fs.rmSync(folder, { recursive: true, force: true });
	}
}

module.exports = { packPackage, publishPackage };
