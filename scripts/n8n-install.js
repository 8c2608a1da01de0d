#!/usr/bin/env node
// Installs the pinned n8n (N8N_VERSION, default 2.40.7) into .n8n-runtime/ once; later runs reuse it.
'use strict';
const { ensureN8nInstalled } = require('./n8n/install');

const started = Date.now();
ensureN8nInstalled()
	.then((paths) => {
		console.log(
			`[n8n-runtime] n8n ${paths.version} ready at ${paths.n8nBin} (${Date.now() - started} ms)`,
		);
	})
	.catch((error) => {
		console.error(`[n8n-runtime] ${error.message}`);
		process.exit(1);
	});
