#!/usr/bin/env node
// `npm start`: a real n8n on http://localhost:5678 with this package installed, a WeHub API
// credential, the example workflows imported, the "WeHub Demo" workflow active and an owner
// account (its e-mail and generated password printed), so the editor opens on the workflows.
// Installs the pinned n8n on first use (minutes; said on screen). Later starts skip the imports
// while the examples and the credential are unchanged (WEHUB_REIMPORT=1 imports them again,
// overwriting by id).
// Env: N8N_VERSION, N8N_PORT, WEHUB_N8N_USER_FOLDER, WEHUB_APPID, WEHUB_SECRET_KEY, WEHUB_REIMPORT.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const {
	DEMO_CREDENTIAL_ID,
	REPO_ROOT,
	PACKAGE_NAME,
	builtFiles,
	databaseFile,
	demoCredential,
	ensureN8nInstalled,
	ensureOwner,
	filesFolder,
	isHealthy,
	linkThisPackage,
	ownerFile,
	prepareUserFolder,
	runtimePaths,
	spawnN8nServer,
	webhookLive,
	withStableIds,
} = require('./n8n');

/** @import { ChildProcess } from 'child_process' */
/** @import { CredentialJson, WorkflowJson } from './n8n' */
/** @import { Owner } from './n8n/owner' */

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
 * The owner account lines: its e-mail and password, or why there are none.
 * @param {Owner | Error} owner
 * @param {string} userFolder
 * @returns {string[]}
 */
function ownerLines(owner, userFolder) {
	if (owner instanceof Error) {
		return [`Owner account:         not set up by npm start (${owner.message})`];
	}
	return [
		`Log in as:             ${owner.email}`,
		`Password:              ${owner.password}  (${owner.created ? 'generated now' : 'as before'}; kept in ${ownerFile(userFolder)})`,
	];
}

/**
 * @param {string} baseUrl
 * @param {Array<WorkflowJson & { id: string }>} demos The active demo workflows.
 * @param {boolean} callbackLive
 * @param {number} seconds How long the start took.
 * @param {string} userFolder
 * @param {Owner | Error} owner
 */
function printUsage(baseUrl, demos, callbackLive, seconds, userFolder, owner) {
	const callback = `${baseUrl}/webhook/${CALLBACK_PATH}`;
	const { appId, secretKey } = startCredential().data;
	const lines = [
		'',
		`n8n is running:        ${baseUrl}  (ready in ${seconds} s)`,
		...ownerLines(owner, userFolder),
		`WeHub callback URL:    ${callback}`,
		`WeHub upload URL:      ${callback}/upload`,
		`Credential:            "WeHub Demo" (id ${DEMO_CREDENTIAL_ID}), appid ${appId}`,
		demos.length
			? `Active demo workflow:  ${demos.map((w) => `${w.name}, ${baseUrl}/workflow/${w.id}`).join('; ')}`
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

/**
 * What npm start imports, as one hash: a later start with the same hash (and database) skips the
 * imports, each of which boots n8n's CLI for several seconds.
 * @param {string} version
 * @param {CredentialJson[]} credentials
 * @param {WorkflowJson[]} workflows
 * @param {string[]} activate
 */
function importFingerprint(version, credentials, workflows, activate) {
	const content = JSON.stringify({ version, credentials, workflows, activate });
	return crypto.createHash('sha256').update(content).digest('hex');
}

/** @param {string} userFolder */
function importMarker(userFolder) {
	return path.join(userFolder, 'wehub-start-imports.json');
}

/**
 * @param {string} userFolder
 * @param {string} fingerprint
 */
function alreadyImported(userFolder, fingerprint) {
	if (process.env.WEHUB_REIMPORT) return false;
	if (!fs.existsSync(databaseFile(userFolder))) return false;
	try {
		return (
			JSON.parse(fs.readFileSync(importMarker(userFolder), 'utf8')).fingerprint === fingerprint
		);
	} catch {
		return false;
	}
}

/** Says what a first start does before it goes quiet for minutes. */
function announceColdStart() {
	const paths = runtimePaths();
	if (isHealthy(paths)) return;
	log(
		[
			`first start: installing n8n ${paths.version} and the Node 24 it needs into .n8n-runtime/`,
			'  (once; about 4-5 minutes on 2 cores: npm install of n8n about 3 minutes, then building',
			'  its sqlite3 module about 1 minute; progress every 15 s). Later starts take about 20 s.',
		].join('\n'),
	);
}

async function main() {
	const started = Date.now();
	announceColdStart();
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
	const credentials = [startCredential()];
	const activate = demos.map((workflow) => workflow.id);
	const fingerprint = importFingerprint(paths.version, credentials, workflows, activate);
	if (alreadyImported(userFolder, fingerprint)) {
		linkThisPackage(userFolder);
		log('examples and credential unchanged since the last start: not imported again');
	} else {
		await prepareUserFolder(paths, userFolder, { credentials, workflows, activate, log });
		fs.writeFileSync(importMarker(userFolder), `${JSON.stringify({ fingerprint })}\n`);
	}

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
	/** @type {Owner | Error} */
	const owner = await ensureOwner(baseUrl, { userFolder }).catch((error) => error);
	const seconds = Math.round((Date.now() - started) / 1000);
	printUsage(baseUrl, demos, callbackLive, seconds, userFolder, owner);
}

main().catch((error) => {
	console.error(`[wehub] ${error.message}`);
	process.exit(1);
});
