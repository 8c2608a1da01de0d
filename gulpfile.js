const path = require('path');
const { task, src, dest } = require('gulp');

// n8n loads node and credential icons from dist next to the compiled .js files, and a node's codex
// (categories and aliases for the node picker) from `<Node>.node.json` beside its `.node.js`.
task('build:assets', () =>
	src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest(path.resolve('dist'))),
);
