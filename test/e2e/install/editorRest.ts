import { sleep } from '../../helpers/sleep';
import type { CredentialJson, N8nInstance, WorkflowJson } from '../harness';
import { webhookLive, withLocalFilesFolder, withStableIds } from '../harness/runtime';

/**
 * What the n8n 2.x editor does over n8n's REST API, logged in as the owner (the `n8n-auth`
 * cookie from ensureOwner): install a community package, create a credential and a workflow,
 * publish (activate) it.
 */
export class EditorSession {
	constructor(
		private readonly n8n: N8nInstance,
		private readonly cookie: string,
	) {}

	/** Calls n8n's REST API; resolves with `data` of its answer, rejects with its status and body. */
	async call<T>(method: string, route: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.n8n.baseUrl}/rest${route}`, {
			method,
			headers: { cookie: this.cookie, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(180_000),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${route}: ${response.status} ${text}`);
		return (JSON.parse(text) as { data: T }).data;
	}

	/** Settings → Community Nodes → Install: what n8n answers about the installed package. */
	installCommunityPackage(name: string, version: string): Promise<InstalledPackage> {
		return this.call('POST', '/community-packages', { name, version });
	}

	listCommunityPackages(): Promise<InstalledPackage[]> {
		return this.call('GET', '/community-packages');
	}

	/** Credentials → Create; resolves with the id n8n gave it. */
	async createCredential(credential: CredentialJson): Promise<string> {
		const { name, type, data } = credential;
		const created = await this.call<{ id: string }>('POST', '/credentials', { name, type, data });
		return created.id;
	}

	/**
	 * Imports `workflow` as a new workflow using `credentialId` for every node's credential (the
	 * files folder of its file nodes pointed at the user folder's), publishes it and waits until
	 * its webhook at `/webhook/<webhookPath>` is live. Resolves with the workflow's id.
	 */
	async createActiveWorkflow(
		workflow: WorkflowJson,
		credentialId: string,
		webhookPath: string,
	): Promise<string> {
		const local = withLocalFilesFolder(
			withStableIds(workflow, `installed:${workflow.name}`),
			this.n8n.userFolder,
		);
		const nodes = local.nodes.map((node) =>
			node.credentials
				? {
						...node,
						credentials: Object.fromEntries(
							Object.entries(node.credentials as Record<string, { name: string }>).map(
								([type, reference]) => [type, { id: credentialId, name: reference.name }],
							),
						),
					}
				: node,
		);
		const { name, connections, settings } = local;
		const created = await this.call<{ id: string; versionId: string }>('POST', '/workflows', {
			name,
			nodes,
			connections,
			settings,
		});
		await this.call('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
		await waitForWebhook(this.n8n, webhookPath);
		return created.id;
	}
}

/** Resolves once n8n serves the production webhook `/webhook/<path>` (see webhookLive). */
export async function waitForWebhook(n8n: N8nInstance, path: string, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	while (!(await webhookLive(n8n.baseUrl, path))) {
		if (Date.now() > deadline) throw new Error(`/webhook/${path} did not go live`);
		await sleep(250);
	}
}

/** n8n's answer about an installed community package (only the fields read here typed). */
export interface InstalledPackage {
	packageName: string;
	installedVersion: string;
	installedNodes: Array<{ name: string; type: string; latestVersion: number }>;
}
