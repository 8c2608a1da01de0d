// Lists the executions a (running or stopped) n8n stored, straight from its SQLite database.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFile } = require('child_process');
const { databaseFile } = require('./userFolder');

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
