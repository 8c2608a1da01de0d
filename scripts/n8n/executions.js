// Lists the executions a (running or stopped) n8n stored, straight from its SQLite database.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFile } = require('child_process');
const { databaseFile } = require('./userFolder');

/** @import { RuntimePaths } from './paths' */

/**
 * An execution as n8n stored it.
 * @typedef {object} StoredExecution
 * @property {string} id
 * @property {string} workflowId
 * @property {string} mode
 * @property {string} status
 * @property {boolean} finished
 * @property {string} startedAt
 * @property {string | null} stoppedAt
 * @property {Record<string, Array<Array<Array<Record<string, unknown>>>>>} [nodes] With `withData`:
 *   per node, per run, per output, the items' JSON.
 * @property {Record<string, Array<Array<Array<Record<string, BinaryMetadata> | null>>>>} [binaries]
 *   With `withData`: the same shape, per item its binary properties' metadata (null: none).
 */

/**
 * What n8n keeps about a binary property besides its bytes: `fileSize` is human-readable (e.g.
 * "4.2 kB"), `id` says where the bytes are when not kept inline (e.g. "filesystem-v2:...").
 * @typedef {{
 *   fileName?: string,
 *   mimeType: string,
 *   fileExtension?: string,
 *   fileSize?: string,
 *   id?: string,
 *   [key: string]: unknown,
 * }} BinaryMetadata
 */

/**
 * The executions in the user folder's database, by id (none while there is no database yet),
 * read by query-executions.js on Node 24 (node:sqlite).
 * @param {RuntimePaths} paths
 * @param {string} userFolder
 * @param {object} [options]
 * @param {string} [options.workflowId] Only this workflow's executions.
 * @param {boolean} [options.withData] With each execution's item data (`nodes`, `binaries`).
 * @returns {Promise<StoredExecution[]>}
 */
function listExecutions(paths, userFolder, { workflowId, withData = false } = {}) {
	const file = databaseFile(userFolder);
	if (!fs.existsSync(file)) return Promise.resolve([]);
	const args = ['--no-warnings', path.join(__dirname, 'query-executions.js'), file];
	if (workflowId) args.push(workflowId);
	if (withData) args.push('--data');
	return new Promise((resolve, reject) => {
		execFile(
			paths.nodeBin,
			args,
			{ cwd: paths.n8nRoot, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				if (error) reject(new Error(`listing executions failed: ${stderr || error.message}`));
				else resolve(JSON.parse(stdout));
			},
		);
	});
}

module.exports = { listExecutions };
