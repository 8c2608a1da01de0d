#!/usr/bin/env node
// `npm run bench`: every `bench:*` script of package.json, one after another, in the order they
// are listed. A failing benchmark is reported and the others still run; the exit code says so.
'use strict';
const { spawnSync } = require('child_process');
const { join } = require('path');

const scripts = Object.keys(require(join(__dirname, '..', 'package.json')).scripts ?? {}).filter(
	(name) => name.startsWith('bench:'),
);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const failed = [];
for (const name of scripts) {
	console.log(`\n=== npm run ${name}`);
	const { status } = spawnSync(npm, ['run', '--silent', name], { stdio: 'inherit' });
	if (status !== 0) failed.push(name);
}
if (failed.length > 0) {
	console.error(`\nFailed: ${failed.join(', ')}`);
	process.exitCode = 1;
} else {
	console.log(`\nRan ${scripts.join(', ')}`);
}
