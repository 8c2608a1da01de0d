#!/usr/bin/env node
// `npm start`: a real n8n on http://localhost:5678 with this package installed, a WeHub API
// credential, the example workflows imported, the "WeHub Demo" workflows active (on n8n's webhook
// URL, and "WeHub Demo (WebSocket)" on its own listener, 127.0.0.1:5691, offering WeHub 0.4.2+
// the WebSocket) and an owner account (its e-mail and generated password printed), so the editor
// opens on the workflows. Installs the pinned n8n on first use (minutes; said on screen). Later
// starts skip the imports while the examples and the credential are unchanged (WEHUB_REIMPORT=1
// imports them again, overwriting by id).
// Env: N8N_VERSION, N8N_PORT, WEHUB_N8N_USER_FOLDER, WEHUB_APPID, WEHUB_SECRET_KEY, WEHUB_REIMPORT,
// WEHUB_WS_DEMO_PORT (the WebSocket demo's listener port instead of the example's 5691).
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
	listenerLive,
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
const TRIGGER_TYPE = `${PACKAGE_NAME}.weHubTrigger`;
/** The trigger's defaults in listener mode (nodes/WeHub/defaults.ts), for exports that omit them. */
const LISTENER_DEFAULT_HOST = '0.0.0.0';
const LISTENER_DEFAULT_PORT = 5690;
/** How long a demo's listener may take to open once the callback webhook is live. */
const LISTENER_GRACE_MS = 15_000;
/** The simulator scenario of the WebSocket demo. */
const WEBSOCKET_SCENARIO = 'examples/sim/websocket-demo.json';

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
			return { file, workflow: withListenerPort(withStableIds(workflow, `examples/${file}`)) };
		})
		.filter(({ file, workflow }) => {
			const valid = Array.isArray(workflow.nodes) && workflow.connections;
			if (!valid) log(`skipping examples/${file}: not an n8n workflow export`);
			return valid;
		});
}

/**
 * Where a demo workflow's WeHub Trigger in listener mode listens, and whether it offers the
 * WebSocket.
 * @typedef {object} ListenerDemo
 * @property {WorkflowJson & { id: string }} workflow
 * @property {string} host
 * @property {number} port
 * @property {string} path
 * @property {boolean} webSocket
 */

/**
 * @param {WorkflowJson} workflow
 * @returns {import('./n8n').WorkflowNodeJson | undefined}
 */
function listenerTrigger(workflow) {
	return workflow.nodes.find(
		(node) => node.type === TRIGGER_TYPE && node.parameters?.receiveVia === 'listener',
	);
}

/**
 * The demo's listener on WEHUB_WS_DEMO_PORT when set (a port other than the example's).
 * @template {WorkflowJson} T
 * @param {T} workflow
 * @returns {T}
 */
function withListenerPort(workflow) {
	const port = Number(process.env.WEHUB_WS_DEMO_PORT);
	if (!process.env.WEHUB_WS_DEMO_PORT || !listenerTrigger(workflow)) return workflow;
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new Error(
			`WEHUB_WS_DEMO_PORT must be a port number, not ${process.env.WEHUB_WS_DEMO_PORT}`,
		);
	}
	const nodes = workflow.nodes.map((node) =>
		node === listenerTrigger(workflow)
			? { ...node, parameters: { ...node.parameters, listenerPort: port } }
			: node,
	);
	return { ...workflow, nodes };
}

/**
 * @param {WorkflowJson & { id: string }} workflow
 * @returns {ListenerDemo | undefined}
 */
function listenerDemo(workflow) {
	const trigger = listenerTrigger(workflow);
	if (!trigger) return undefined;
	const parameters = trigger.parameters ?? {};
	const options = /** @type {{ offerWebSocket?: unknown }} */ (parameters.listenerOptions ?? {});
	return {
		workflow,
		host: String(parameters.listenerHost || LISTENER_DEFAULT_HOST),
		port: Number(parameters.listenerPort || LISTENER_DEFAULT_PORT),
		path: String(parameters.path || trigger.webhookId),
		webSocket: options.offerWebSocket === true,
	};
}

/**
 * The listener's callback URL as this machine reaches it.
 * @param {ListenerDemo} listener
 */
function listenerUrl({ host, port, path: callbackPath }) {
	const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
	return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/${callbackPath}`;
}

/**
 * Waits, beside the callback webhook, for each listener's /healthz (n8n 2.x opens the port 1-3 s
 * after its own readiness).
 * @param {ListenerDemo[]} listeners
 * @param {ChildProcess} child
 * @param {() => number} deadline When to give up (it moves once the callback wait is over).
 * @returns {Promise<boolean[]>} Per listener, whether it answered in time.
 */
function waitForListeners(listeners, child, deadline) {
	return Promise.all(
		listeners.map(async ({ host, port }) => {
			for (;;) {
				if (child.exitCode !== null) throw new Error(`n8n exited with code ${child.exitCode}`);
				if (await listenerLive(host, port)) return true;
				if (Date.now() > deadline()) return false;
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
		}),
	);
}

/**
 * What to give WeHub for a demo on its own listener.
 * @param {string} baseUrl
 * @param {ListenerDemo} listener
 * @param {boolean} live
 * @returns {string[]}
 */
function listenerLines(baseUrl, listener, live) {
	const { appId, secretKey } = startCredential().data;
	const callback = listenerUrl(listener);
	const { name, id } = listener.workflow;
	const scenario = listener.webSocket ? WEBSOCKET_SCENARIO : 'demo';
	return [
		'',
		`${name}: its own listener (${baseUrl}/workflow/${id})`,
		`  WeHub callback URL:  ${callback}`,
		`  WeHub upload URL:    ${callback}/upload`,
		listener.webSocket
			? `  WebSocket:           WeHub 0.4.2+ log in at the callback URL and are moved to ${callback.replace('http://', 'ws://')}/ws\n` +
				'                       (the login answer names it, with a token per login): tasks are pushed, no polling;\n' +
				'                       older clients keep polling the callback URL. Uploads stay on HTTP.'
			: '  WebSocket:           not offered (every client polls)',
		`  Simulate:            npx wehub-sim --url ${callback} --appid ${appId} --secret ${secretKey} --scenario ${scenario}`,
		...(live
			? []
			: [
					`  Note: nothing answers on ${listener.host}:${listener.port} yet (port in use? set WEHUB_WS_DEMO_PORT; n8n's log says why)`,
				]),
	];
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
 * @param {ListenerDemo[]} listeners The demos on their own listener.
 * @param {boolean[]} listenersLive
 * @param {number} seconds How long the start took.
 * @param {string} userFolder
 * @param {Owner | Error} owner
 */
function printUsage(
	baseUrl,
	demos,
	callbackLive,
	listeners,
	listenersLive,
	seconds,
	userFolder,
	owner,
) {
	const callback = `${baseUrl}/webhook/${CALLBACK_PATH}`;
	const { appId, secretKey } = startCredential().data;
	const lines = [
		'',
		`n8n is running:        ${baseUrl}  (ready in ${seconds} s)`,
		...ownerLines(owner, userFolder),
		`WeHub callback URL:    ${callback}`,
		`WeHub upload URL:      ${callback}/upload`,
		`Credential:            "WeHub Demo" (id ${DEMO_CREDENTIAL_ID}), appid ${appId}`,
		...(demos.length
			? demos.map(
					(w, i) =>
						`${i > 0 ? ' '.repeat(22) : demos.length > 1 ? 'Active demo workflows:' : 'Active demo workflow: '} ${w.name}, ${baseUrl}/workflow/${w.id}`,
				)
			: ['No "WeHub Demo" workflow in examples/ yet: create one in the editor and activate it.']),
		`Files folder:          ${filesFolder(userFolder)}  (uploads the demo saves; n8n may only read and write here)`,
		callbackLive
			? ''
			: `Note: ${callback} is not registered yet (is a WeHub trigger workflow active?)`,
		'',
		"Point WeHub at it: in WeHub's settings set the callback URL above (from another machine use",
		"this machine's address instead of localhost), the appid and secret of the credential.",
		`Or simulate WeHub:     npx wehub-sim --url ${callback} --appid ${appId} --secret ${secretKey} --scenario demo`,
		...listeners.flatMap((listener, i) => listenerLines(baseUrl, listener, listenersLive[i])),
		'',
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
	// The demo on n8n's webhook URL first, those on their own listener after it.
	const demos = workflows
		.filter((workflow) => String(workflow.name).startsWith(DEMO_PREFIX))
		.sort((a, b) => Number(!!listenerTrigger(a)) - Number(!!listenerTrigger(b)));
	const listeners = demos.flatMap((workflow) => listenerDemo(workflow) ?? []);

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
	// A listener that has not opened its port this long after the callback webhook will not (a
	// port in use fails activation): say so instead of waiting.
	let callbackWaitEnded = Infinity;
	const [callbackLive, listenersLive] = await Promise.all([
		waitForCallback(baseUrl, child, demos.length ? 120_000 : 30_000).finally(
			() => (callbackWaitEnded = Date.now()),
		),
		waitForListeners(listeners, child, () => callbackWaitEnded + LISTENER_GRACE_MS),
	]);
	/** @type {Owner | Error} */
	const owner = await ensureOwner(baseUrl, { userFolder }).catch((error) => error);
	const seconds = Math.round((Date.now() - started) / 1000);
	printUsage(baseUrl, demos, callbackLive, listeners, listenersLive, seconds, userFolder, owner);
}

main().catch((error) => {
	console.error(`[wehub] ${error.message}`);
	process.exit(1);
});
