// Runs on Node 24 (node:sqlite), cwd the n8n install (for its `flatted`): prints, as JSON, when one
// node of a workflow finished in each stored execution, with the task_id of its first output item.
// Usage: node nodeEnds.js <database file> <workflowId> <node name>
// n8n records per node run `startTime` (epoch ms) and `executionTime` (ms): their sum is when the
// node's execute() had returned, i.e. after the store's enqueue had resolved.
'use strict';
// @ts-expect-error node:sqlite (Node >= 22.5; this file runs on Node 24) is not in @types/node 20.
const { DatabaseSync } = require('node:sqlite');

const [databaseFile, workflowId, nodeName] = process.argv.slice(2);
const { parse } = require(require.resolve('flatted', { paths: [process.cwd()] }));

const db = new DatabaseSync(databaseFile, { readOnly: true, timeout: 10_000 });
try {
	const rows = db
		.prepare(
			'SELECT d.data AS data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ?',
		)
		.all(workflowId);
	const ends = [];
	for (const row of rows) {
		const run = parse(row.data)?.resultData?.runData?.[nodeName]?.[0];
		const taskId = run?.data?.main?.[0]?.[0]?.json?.task_id;
		if (typeof taskId !== 'string') continue;
		ends.push({ task_id: taskId, node_end_ms: run.startTime + run.executionTime });
	}
	process.stdout.write(JSON.stringify(ends));
} finally {
	db.close();
}
