// Runs on Node 24 (node:sqlite): prints, as JSON, the executions n8n stored in a user folder's
// SQLite database. Usage: node query-executions.js <database file> [workflowId] [--data]
// With --data, each execution carries the JSON (and binary metadata) of the items every node output (n8n stores run
// data in the `flatted` format; the flatted package is taken from the n8n install in the cwd).
'use strict';
// @ts-expect-error node:sqlite (Node >= 22.5; this file runs on Node 24) is not in @types/node 20.
const { DatabaseSync } = require('node:sqlite');

/** @import { BinaryMetadata, StoredExecution } from './executions' */

/**
 * The part of n8n's run data read here: per node its runs, per run its outputs, each a list of
 * items (or null).
 * @typedef {Record<string, Array<{ data?: { main?: Array<RunItem[] | null> } }>>} RunData
 */

/**
 * An item as n8n stored it: its JSON, and per binary property the metadata and maybe the bytes.
 * @typedef {{
 *   json: Record<string, unknown>,
 *   binary?: Record<string, BinaryMetadata & { data?: string }>,
 * }} RunItem
 */

/**
 * A row of the query below (`data` only with --data).
 * @typedef {{
 *   id: number | string,
 *   workflowId: string,
 *   mode: string,
 *   status: string,
 *   finished: number | boolean,
 *   startedAt: string,
 *   stoppedAt: string | null,
 *   data?: string | null,
 * }} ExecutionRow
 */

const [databaseFile, ...rest] = process.argv.slice(2);
const withData = rest.includes('--data');
const workflowId = rest.find((arg) => !arg.startsWith('--'));

/**
 * @param {string} flattedData
 * @returns {RunData}
 */
function runDataOf(flattedData) {
	const { parse } = require(require.resolve('flatted', { paths: [process.cwd()] }));
	return parse(flattedData)?.resultData?.runData ?? {};
}

/**
 * Per node, per run, per output: `pick(item)` of every item.
 * @template T
 * @param {RunData} runData
 * @param {(item: RunItem) => T} pick
 * @returns {Record<string, T[][][]>}
 */
function byNode(runData, pick) {
	/** @type {Record<string, T[][][]>} */
	const result = {};
	for (const [nodeName, runs] of Object.entries(runData)) {
		result[nodeName] = runs.map((run) =>
			(run.data?.main ?? []).map((output) => (output ?? []).map(pick)),
		);
	}
	return result;
}

/**
 * What n8n recorded about an item's binary properties (not the bytes); null without any.
 * @param {RunItem} item
 * @returns {Record<string, BinaryMetadata> | null}
 */
function binaryMetadata(item) {
	if (!item.binary) return null;
	return Object.fromEntries(
		Object.entries(item.binary).map(([property, { data: _bytes, ...metadata }]) => [
			property,
			metadata,
		]),
	);
}

/**
 * @param {string | null | undefined} flattedData
 * @returns {Required<Pick<StoredExecution, 'nodes' | 'binaries'>>}
 */
function dataOf(flattedData) {
	const runData = flattedData ? runDataOf(flattedData) : {};
	return {
		nodes: byNode(runData, (item) => item.json),
		binaries: byNode(runData, binaryMetadata),
	};
}

// n8n 1.x keeps SQLite in rollback-journal mode: wait out its write locks instead of failing.
const db = new DatabaseSync(databaseFile, { readOnly: true, timeout: 10_000 });
try {
	const where = workflowId ? 'WHERE e.workflowId = ?' : '';
	/** @type {ExecutionRow[]} */
	const rows = db
		.prepare(
			`SELECT e.id, e.workflowId, e.mode, e.status, e.finished, e.startedAt, e.stoppedAt${
				withData ? ', d.data AS data' : ''
			} FROM execution_entity e${
				withData ? ' LEFT JOIN execution_data d ON d.executionId = e.id' : ''
			} ${where} ORDER BY e.id`,
		)
		.all(...(workflowId ? [workflowId] : []));
	/** @type {StoredExecution[]} */
	const executions = rows.map((row) => ({
		id: String(row.id),
		workflowId: row.workflowId,
		mode: row.mode,
		status: row.status,
		finished: Boolean(row.finished),
		startedAt: row.startedAt,
		stoppedAt: row.stoppedAt,
		...(withData ? dataOf(row.data) : {}),
	}));
	process.stdout.write(JSON.stringify(executions));
} finally {
	db.close();
}
