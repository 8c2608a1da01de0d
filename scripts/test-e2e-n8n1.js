#!/usr/bin/env node
// `npm run test:e2e:n8n1`: the demo, listener and WebSocket end-to-end tests again on the n8n 1.x line (installed on first
// use into .n8n-runtime/, like 2.x), so both supported majors run the whole WeHub session.
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');

const N8N_1_VERSION = '1.123.81';
const TESTS = ['test/e2e/demo.test.ts', 'test/e2e/listener.test.ts', 'test/e2e/webSocket.test.ts'];

const jest = require.resolve('jest/bin/jest');
const result = spawnSync(
	process.execPath,
	[jest, '--selectProjects', 'e2e', '--runTestsByPath', ...TESTS],
	{
		cwd: path.resolve(__dirname, '..'),
		stdio: 'inherit',
		env: { ...process.env, N8N_VERSION: N8N_1_VERSION },
	},
);
process.exit(result.status ?? 1);
