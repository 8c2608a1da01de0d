// Brings a user folder to a known state before n8n starts: this package linked, credentials and
// workflows imported (overwriting earlier imports with the same id), the chosen workflows active.
'use strict';
const crypto = require('crypto');
const { linkThisPackage } = require('./userFolder');
const { importCredentials, importWorkflows, activateWorkflow } = require('./cli');
const { withLocalFilesFolder } = require('./filesFolder');

/** @import { CredentialJson, WorkflowJson } from './cli' */
/** @import { RuntimePaths } from './paths' */

/**
 * A stable n8n-style id (16 alphanumerics) for a workflow file that carries none.
 * @param {string} seed
 */
function stableWorkflowId(seed) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = crypto.createHash('sha256').update(seed).digest();
	return Array.from(bytes.subarray(0, 16), (byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * Re-import would otherwise create a copy of a workflow without an id, and n8n registers a webhook
 * under its node's webhookId: give both a stable value derived from the workflow.
 * @template {WorkflowJson} T
 * @param {T} workflow
 * @param {string} seed
 * @returns {T & { id: string }}
 */
function withStableIds(workflow, seed) {
	const id = workflow.id || stableWorkflowId(`workflow:${seed}`);
	const nodes = (workflow.nodes || []).map((node) =>
		node.webhookId || !/webhook|trigger/i.test(node.type)
			? node
			: { ...node, webhookId: stableWorkflowId(`webhook:${id}:${node.name}`) },
	);
	return { ...workflow, id, nodes };
}

/**
 * @param {RuntimePaths} paths
 * @param {string} userFolder
 * @param {object} options
 * @param {CredentialJson[]} [options.credentials]
 * @param {WorkflowJson[]} [options.workflows]
 * @param {string[]} [options.activate] Ids of the workflows to activate.
 * @param {boolean} [options.link] Whether to link this repository as the installed package
 *   (default true; false when a test installs the package the way users do).
 * @param {(message: string) => void} [options.log]
 * @returns {Promise<void>}
 */
async function prepareUserFolder(
	paths,
	userFolder,
	{ credentials = [], workflows = [], activate = [], link = true, log = () => {} },
) {
	if (link) linkThisPackage(userFolder);
	if (credentials.length > 0) {
		log(`importing ${credentials.length} credential(s)`);
		await importCredentials(paths, userFolder, credentials);
	}
	if (workflows.length > 0) {
		log(`importing ${workflows.length} workflow(s)`);
		const local = workflows.map((workflow) => withLocalFilesFolder(workflow, userFolder));
		await importWorkflows(paths, userFolder, local);
	}
	for (const id of activate) {
		log(`activating workflow ${id}`);
		await activateWorkflow(paths, userFolder, id);
	}
}

module.exports = { stableWorkflowId, withStableIds, prepareUserFolder };
