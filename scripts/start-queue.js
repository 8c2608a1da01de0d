#!/usr/bin/env node
// `npm run start:queue`: n8n in queue mode on this machine, each process as if on its own host:
// PostgreSQL and Redis (Debian packages, own instances in a temporary folder), n8n main, `n8n
// webhook` process(es) and an `n8n worker`, the package linked for each, the "WeHub Demo"
// workflow active with a WeHub API credential on the Redis store.
// Env: N8N_PORT (main, 5678), WEHUB_WEBHOOK_PORT (first webhook process, 5679),
// WEHUB_WEBHOOK_PROCESSES (1; with more, a round-robin balancer on WEHUB_BALANCER_PORT, 5690).
'use strict';
const fs = require('fs');
const path = require('path');
const { REPO_ROOT, builtFiles, demoCredential, withStableIds } = require('./n8n');
const { clusterPorts, startQueueCluster } = require('./queue');

const CALLBACK_PATH = 'wehub';
const APPID = process.env.WEHUB_APPID || 'demo-appid';
const SECRET = process.env.WEHUB_SECRET_KEY || 'demo-secret';

/** @param {string} message */
function log(message) {
	console.log(`[wehub queue] ${message}`);
}

function demoWorkflow() {
	const file = path.join(REPO_ROOT, 'examples', 'wehub-demo.json');
	const workflow = JSON.parse(fs.readFileSync(file, 'utf8'));
	return withStableIds({ ...workflow, active: true }, 'examples/wehub-demo.json');
}

async function main() {
	const started = Date.now();
	const missing = builtFiles().filter((file) => !file.exists);
	if (missing.length > 0) throw new Error('dist/ is missing: run npm run build');
	const webhookProcesses = Math.max(1, Number(process.env.WEHUB_WEBHOOK_PROCESSES || 1));
	const firstWebhookPort = Number(process.env.WEHUB_WEBHOOK_PORT || 5679);
	const ports = await clusterPorts(webhookProcesses, {
		main: Number(process.env.N8N_PORT || 5678),
		balancer: Number(process.env.WEHUB_BALANCER_PORT || 5690),
		webhooks: Array.from({ length: webhookProcesses }, (_, i) => firstWebhookPort + i),
	});
	const cluster = await startQueueCluster({
		ports,
		webhookProcesses,
		credentials: ({ redis }) => [demoCredential({ appId: APPID, secretKey: SECRET, redis })],
		workflows: [demoWorkflow()],
		readyPaths: [CALLBACK_PATH],
		log,
	});
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		log('stopping');
		await cluster.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	for (const proc of [cluster.main, cluster.worker, ...cluster.webhooks]) {
		proc.exited.then(() => {
			if (!stopping) log(`${proc.name} exited; its last output:\n${proc.logs().slice(-3000)}`);
		});
	}
	const callback = cluster.webhookUrl(CALLBACK_PATH);
	console.log(
		[
			'',
			`n8n queue mode is running (ready in ${Math.round((Date.now() - started) / 1000)} s):`,
			`  main (editor, leader):  http://localhost:${ports.main}`,
			...cluster.webhookBases.map((base, i) => `  webhook process ${i + 1}:     ${base}`),
			`  worker health:          http://localhost:${ports.workerHealth}/healthz`,
			`  PostgreSQL:             127.0.0.1:${ports.postgres} (user n8n, database n8n, trust)`,
			`  Redis (Bull + store):   127.0.0.1:${ports.redis} (task store keys wehub:*)`,
			`  folders:                ${cluster.folder}`,
			'',
			`WeHub callback URL:       ${callback}`,
			`WeHub upload URL:         ${callback}/upload`,
			`Simulate WeHub:           npx wehub-sim --url ${callback} --appid ${APPID} --secret ${SECRET} --scenario demo`,
			'Stop with Ctrl+C (everything, including the temporary folders, is removed).',
			'',
		].join('\n'),
	);
}

main().catch((error) => {
	console.error(`[wehub queue] ${error.message}`);
	process.exit(1);
});
