// Where workflows may read and write files. The examples use n8n Docker's default allowed folder
// (/home/node/.n8n-files); a local n8n gets `<user folder>/.n8n-files` instead, rewritten into the
// imported workflows and set as N8N_RESTRICT_FILE_ACCESS_TO (n8n 2.x refuses paths outside it).
'use strict';
const fs = require('fs');
const path = require('path');

/** @import { WorkflowJson } from './cli' */

const DOCKER_FILES_FOLDER = '/home/node/.n8n-files';

/**
 * `<userFolder>/.n8n-files`: the folder a local n8n may read and write
 * (N8N_RESTRICT_FILE_ACCESS_TO).
 * @param {string} userFolder
 */
function filesFolder(userFolder) {
	return path.join(userFolder, '.n8n-files');
}

/**
 * @param {unknown} value A node parameter (any JSON).
 * @param {string} from
 * @param {string} to
 * @param {Set<string>} folders Collects the folders the rewritten paths name.
 * @returns {unknown}
 */
function rewrite(value, from, to, folders) {
	if (typeof value === 'string') {
		if (!value.includes(from)) return value;
		const rewritten = value.split(from).join(to);
		// The fixed part of a path expression ("=<folder>/wehub/{{ ... }}"): created up front, as
		// n8n resolves the parent folder of a file it writes.
		const literal = rewritten.replace(/^=/, '').split('{{')[0];
		const named = literal.slice(literal.indexOf(to)).split(/[\s`'"]/)[0];
		folders.add(named.slice(0, named.lastIndexOf('/')) || to);
		return rewritten;
	}
	if (Array.isArray(value)) return value.map((entry) => rewrite(entry, from, to, folders));
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [key, rewrite(entry, from, to, folders)]),
		);
	}
	return value;
}

/**
 * The workflow with every node parameter that names the Docker files folder pointed at this user
 * folder's files folder; the folders those parameters name are created.
 * @template {WorkflowJson} T
 * @param {T} workflow
 * @param {string} userFolder
 * @returns {T}
 */
function withLocalFilesFolder(workflow, userFolder) {
	const to = filesFolder(userFolder);
	const folders = new Set([to]);
	const nodes = (workflow.nodes || []).map((node) =>
		node.parameters
			? { ...node, parameters: rewrite(node.parameters, DOCKER_FILES_FOLDER, to, folders) }
			: node,
	);
	for (const folder of folders) fs.mkdirSync(folder, { recursive: true });
	return { ...workflow, nodes };
}

module.exports = { DOCKER_FILES_FOLDER, filesFolder, withLocalFilesFolder };
