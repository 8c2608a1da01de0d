#!/usr/bin/env node
// `npm test` and `npm start` must work as the first command on a fresh clone:
// install the package's own dependencies when they are missing or older than the lock file.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

function needsInstall() {
	if (!fs.existsSync(marker)) return true;
	return fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs;
}

if (needsInstall()) {
	console.log(
		'[wehub] installing the package dependencies (npm ci; once on a fresh clone, about a minute)',
	);
	const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
	if (r.status !== 0) process.exit(r.status ?? 1);
}
