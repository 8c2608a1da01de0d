#!/usr/bin/env node
// `npm start` and `npm run start:queue`: build dist/ only when a source is newer than the build
// (or a built node or credential file is missing), so a second start does not wait for tsc.
// `npm run build` always builds.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { builtFiles, newestSourceMtime } = require('./n8n/userFolder');

const root = path.resolve(__dirname, '..');
/** What the build reads: the TypeScript, icons and codex files, and the build's own settings. */
const SOURCE_DIRS = ['nodes', 'credentials', 'sim'];
const SOURCE_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'gulpfile.js'];

function isStale() {
	const built = builtFiles();
	if (built.some((file) => !file.exists)) return true;
	const oldestBuilt = Math.min(...built.map((file) => fs.statSync(file.file).mtimeMs));
	const newestSource = Math.max(
		...SOURCE_DIRS.map((dir) => newestSourceMtime(path.join(root, dir))),
		...SOURCE_FILES.map((file) => {
			const full = path.join(root, file);
			return fs.existsSync(full) ? fs.statSync(full).mtimeMs : 0;
		}),
	);
	return newestSource > oldestBuilt;
}

if (isStale()) {
	console.log('[wehub] building the package (npm run build, about 15 s)');
	const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status ?? 1);
} else {
	console.log('[wehub] dist/ is up to date with the sources (npm run build to build anyway)');
}
