#!/usr/bin/env node
// `npm start`: a real n8n on http://localhost:5678 with this package installed, a WeHub API
// credential, the example workflows imported and the "WeHub Demo" workflow active.
// Installs the pinned n8n on first use. Re-running is idempotent (imports overwrite by id).
// Env: N8N_VERSION, N8N_PORT, WEHUB_N8N_USER_FOLDER, WEHUB_APPID, WEHUB_SECRET_KEY.
'use strict';
const fs = require('fs');
const path = require('path');
const {
	DEMO_CREDENTIAL_ID,
	REPO_ROOT,
	PACKAGE_NAME,
	builtFiles,
	demoCredential,
	ensureN8nInstalled,
	filesFolder,
	prepareUserFolder,
	spawnN8nServer,
	webhookLive,
	withStableIds,
} = require('./n8n');

/** @import { ChildProcess } from 'child_process' */
/** @import { WorkflowJson } from './n8n' */

const DEMO_PREFIX = 'WeHub Demo';
const CALLBACK_PATH = 'wehub';

/** @param {string} message */
function log(message) {
	console.log(`[wehub] ${message}`);
}

/** The demo credential, with WEHUB_APPID / WEHUB_SECRET_KEY when set. */
function startCredential() {
	return demoCredential({
		appId: process.env.WEHUB_APPID || undefined,
		secretKey: process.env.WEHUB_SECRET_KEY || undefined,
	});
}

/**
 * The n8n workflow exports in examples/, each with a stable id.
 * @returns {Array<{ file: string, workflow: WorkflowJson & { id: string } }>}
 */
function exampleWorkflows() {
	const dir = path.join(REPO_ROOT, 'examples');
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
			// n8n imports a workflow without an id as a new copy each time: derive one from the file.
			return { file, workflow: withStableIds(workflow, `examples/${file}`) };
		})
		.filter(({ file, workflow }) => {
			const valid = Array.isArray(workflow.nodes) && workflow.connections;
			if (!valid) log(`skipping examples/${file}: not an n8n workflow export`);
			return valid;
		});
}

/**
 * Ready for WeHub once the callback webhook is registered (see webhookLive).
 * @param {string} baseUrl
 * @param {ChildProcess} child
 * @param {number} timeoutMs
 * @returns {Promise<boolean>} Whether it was registered within `timeoutMs`.
 */
function waitForCallback(baseUrl, child, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		const poll = async () => {
			if (child.exitCode !== null)
				return reject(new Error(`n8n exited with code ${child.exitCode}`));
			if (Date.now() > deadline) return resolve(false);
			if (await webhookLive(baseUrl, CALLBACK_PATH)) return resolve(true);
			setTimeout(poll, 500);
		};
		void poll();
	});
}

/**
 * @param {string} baseUrl
 * @param {Array<WorkflowJson & { id: string }>} demos The active demo workflows.
 * @param {boolean} callbackLive
 * @param {number} seconds How long the start took.
 * @param {string} userFolder
 */
function printUsage(baseUrl, demos, callbackLive, seconds, userFolder) {
	const callback = `${baseUrl}/webhook/${CALLBACK_PATH}`;
	const { appId, secretKey } = startCredential().data;
	const lines = [
		'',
		`n8n is running:        ${baseUrl}  (ready in ${seconds} s; the editor asks for an owner account)`,
		`WeHub callback URL:    ${callback}`,
		`WeHub upload URL:      ${callback}/upload`,
		`Credential:            "WeHub Demo" (id ${DEMO_CREDENTIAL_ID}), appid ${appId}`,
		demos.length
			? `Active demo workflow:  ${demos.map((w) => `${w.name} (${w.id})`).join(', ')}`
			: 'No "WeHub Demo" workflow in examples/ yet: create one in the editor and activate it.',
		`Files folder:          ${filesFolder(userFolder)}  (uploads the demo saves; n8n may only read and write here)`,
		callbackLive
			? ''
			: `Note: ${callback} is not registered yet (is a WeHub trigger workflow active?)`,
		'',
		"Point WeHub at it: in WeHub's settings set the callback URL above (from another machine use",
		"this machine's address instead of localhost), the appid and secret of the credential.",
		`Or simulate WeHub:     npx wehub-sim --url ${callback} --appid ${appId} --secret ${secretKey} --scenario demo`,
		'Stop with Ctrl+C.',
		'',
	];
	console.log(lines.join('\n'));
}

async function main() {
	const started = Date.now();
	const paths = await ensureN8nInstalled();
	const missing = builtFiles().filter((file) => !file.exists);
	if (missing.length > 0) {
		log(
			`not built yet (run npm run build): ${missing.map((f) => path.relative(REPO_ROOT, f.file)).join(', ')}`,
		);
	}
	const userFolder = process.env.WEHUB_N8N_USER_FOLDER || paths.defaultUserFolder;
	const port = Number(process.env.N8N_PORT || 5678);
	const baseUrl = `http://localhost:${port}`;
	const examples = exampleWorkflows();
	const workflows = examples.map(({ workflow }) => workflow);
	const demos = workflows.filter((workflow) => String(workflow.name).startsWith(DEMO_PREFIX));

	log(`n8n ${paths.version}, user folder ${userFolder}, ${PACKAGE_NAME} linked from ${REPO_ROOT}`);
	await prepareUserFolder(paths, userFolder, {
		credentials: [startCredential()],
		workflows,
		activate: demos.map((workflow) => workflow.id),
		log,
	});

	log(`starting n8n on ${baseUrl}`);
	const child = spawnN8nServer(paths, userFolder, { port, stdio: 'inherit' });
	/** @param {NodeJS.Signals} signal */
	const stop = (signal) => {
		if (child.pid === undefined) return; // never started
		try {
			process.kill(-child.pid, signal);
		} catch {
			// already stopped
		}
	};
	process.on('SIGINT', () => stop('SIGTERM'));
	process.on('SIGTERM', () => stop('SIGTERM'));
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
	const callbackLive = await waitForCallback(baseUrl, child, demos.length ? 120_000 : 30_000);
	printUsage(baseUrl, demos, callbackLive, Math.round((Date.now() - started) / 1000), userFolder);
}

main().catch((error) => {
	console.error(`[wehub] ${error.message}`);
	process.exit(1);
});
