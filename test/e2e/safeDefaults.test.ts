import { execFile } from 'child_process';
import { createHash, randomUUID } from 'crypto';
import type { ICredentialType, INodeTypeDescription } from 'n8n-workflow';
import { promisify } from 'util';

import { WeHubApi } from '../../credentials/WeHubApi.credentials';
import { MISSING_SECRET_KEY } from '../../nodes/WeHub/shared/credentialTest';
import { MEDIA_BASE_URL_SETTING } from '../../nodes/WeHub/shared/mediaBaseUrl';
import { closeAllTaskStores, openTaskStore } from '../../nodes/WeHub/store/openTaskStore';
import { ensureOwner } from '../../scripts/n8n/owner';
import { startN8n, type N8nInstance, type WorkflowJson } from './harness';
import { freePort } from './harness/freePort';
import { databaseFile, webhookLive } from './harness/runtime';
import { DEMO_APPID, DEMO_SECRET, demoCredential, demoWorkflow } from './fixtures/demoSession';
import { embeddedStorePath, waitForListener } from './fixtures/weHubWorkflows';
import { EditorSession, waitForWebhook } from './install/editorRest';

/**
 * Issue 15's safe defaults in a real n8n (2.40.7 unless N8N_VERSION says otherwise):
 * - the WeHub Trigger's Path: a trigger added in the editor answers at its own webhook ID, an
 *   imported example keeps its readable path, a workflow exported without a path and listener
 *   mode take the webhook ID too;
 * - the credential test the editor runs when a credential is saved says a credential without a
 *   Secret Key refuses every current WeHub login.
 */
const TRIGGER_TYPE = 'n8n-nodes-wehub.weHubTrigger';
const CREDENTIALS = { weHubApi: { id: demoCredential.id, name: demoCredential.name } };
/** Webhook IDs as the editor writes them into a workflow (random v4 UUIDs), fixed for the file. */
const EXPORTED_ID = '3d0f6b8e-9a41-4c2e-b7d5-0e8c1f2a4b6d';
const LISTENER_ID = 'a7c3e9f1-52b8-4d06-8e1a-6f4b2c9d0e13';

function triggerWorkflow(
	name: string,
	webhookId: string,
	parameters: Record<string, unknown>,
): WorkflowJson {
	return {
		name,
		active: true,
		nodes: [
			{
				id: randomUUID(),
				name: 'WeHub Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters,
				credentials: CREDENTIALS,
			},
		],
		connections: {},
		settings: {},
	};
}

/** The smallest valid PNG (1x1). */
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64',
);

/** A WeHub 0.4.26 login (always with a nonce) and the signature the answer must carry. */
const NONCE = 'c2f1e0a9d4b7';
const BOT = 'wxid_e2e_defaults';
const loginBody = JSON.stringify({
	action: 'login',
	appid: DEMO_APPID,
	wxid: BOT,
	data: { nickname: '方青', client_version: '0.4.26', nonce: NONCE },
});
const signature = createHash('md5').update(`${BOT}#${NONCE}#${DEMO_SECRET}`).digest('hex');

async function logIn(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: loginBody,
	});
	const text = await response.text();
	return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : { text } };
}

function expectSignedLogin(answer: { status: number; body: Record<string, unknown> }): void {
	expect(answer.status).toBe(200);
	expect(answer.body).toMatchObject({ error_code: 0 });
	expect(String((answer.body.data as Record<string, unknown>)?.signature).toLowerCase()).toBe(
		signature,
	);
}

describe('safe defaults in a real n8n', () => {
	let n8n: N8nInstance;
	let cookie: string;
	let editor: EditorSession;
	let listenerPort: number;

	/** The webhooks n8n registered for a workflow, straight from its database. */
	async function registeredWebhooks(workflowId: string) {
		const script = `const { DatabaseSync } = require('node:sqlite');
			const db = new DatabaseSync(process.argv[1], { readOnly: true });
			const rows = db.prepare('SELECT webhookPath, method, webhookId FROM webhook_entity WHERE workflowId = ? ORDER BY webhookPath').all(process.argv[2]);
			console.log(JSON.stringify(rows));`;
		const { stdout } = await promisify(execFile)(n8n.paths.nodeBin, [
			'--no-warnings',
			'-e',
			script,
			databaseFile(n8n.userFolder),
			workflowId,
		]);
		return JSON.parse(stdout) as Array<{
			webhookPath: string;
			method: string;
			webhookId: string | null;
		}>;
	}

	beforeAll(async () => {
		listenerPort = await freePort();
		n8n = await startN8n({
			credentials: [demoCredential],
			workflows: [
				// An example as shipped: Path `wehub`.
				demoWorkflow(),
				// Exported from an editor with Path left empty: n8n saves no parameter at its default.
				triggerWorkflow('WeHub exported without a path', EXPORTED_ID, { events: ['*'] }),
				triggerWorkflow('WeHub listener without a path', LISTENER_ID, {
					receiveVia: 'listener',
					listenerHost: '127.0.0.1',
					listenerPort,
				}),
			],
		});
		({ cookie } = await ensureOwner(n8n.baseUrl, { userFolder: n8n.userFolder }));
		editor = new EditorSession(n8n, cookie);
	});

	afterAll(async () => {
		await closeAllTaskStores();
		await n8n?.stop();
	});

	describe('the WeHub Trigger’s Path', () => {
		it('two triggers added in the editor answer at their own webhook IDs, beside an example on /webhook/wehub', async () => {
			// What the editor saves for a freshly added trigger: the webhook ID it assigned
			// (NodeHelpers.resolveNodeWebhookId) and no Path, which is at its default.
			const webhookIds = [randomUUID(), randomUUID()];
			for (const [index, webhookId] of webhookIds.entries()) {
				const workflow = triggerWorkflow(`WeHub fresh ${index + 1}`, webhookId, {});
				const { nodes, connections, settings, name } = workflow;
				const created = await editor.call<{
					id: string;
					versionId: string;
					nodes: WorkflowJson['nodes'];
				}>('POST', '/workflows', { name, nodes, connections, settings });
				expect(created.nodes[0].parameters).toEqual({});
				await editor.call('POST', `/workflows/${created.id}/activate`, {
					versionId: created.versionId,
				});
				await waitForWebhook(n8n, webhookId);

				expect(await registeredWebhooks(created.id)).toEqual([
					{ webhookPath: webhookId, method: 'POST', webhookId: null },
					// n8n keys a path with a parameter by the path alone: the webhook ID keeps it apart.
					{ webhookPath: `${webhookId}/media/:id`, method: 'GET', webhookId },
					{ webhookPath: `${webhookId}/upload`, method: 'POST', webhookId: null },
				]);
				expectSignedLogin(await logIn(n8n.webhookUrl(webhookId)));
				expect(await webhookLive(n8n.baseUrl, `${webhookId}/upload`)).toBe(true);

				// The media URL the trigger recorded at activation serves what the WeHub node stores.
				const store = await openTaskStore({
					backend: 'embedded',
					path: embeddedStorePath(n8n.userFolder),
				});
				const mediaBase = await store.getSetting(DEMO_APPID, MEDIA_BASE_URL_SETTING);
				expect(mediaBase).toBe(n8n.webhookUrl(`${webhookId}/${webhookId}/media`));
				const id = randomUUID().replace(/-/g, '');
				const now = Date.now();
				await store.putMedia({
					id,
					appid: DEMO_APPID,
					mime_type: 'image/png',
					file_name: `receipt-${index}.png`,
					data: PNG,
					created_at: now,
					expires_at: now + 60_000,
				});
				const download = await fetch(`${mediaBase}/${id}.png`);
				expect(download.status).toBe(200);
				expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
			}
			expectSignedLogin(await logIn(n8n.webhookUrl('wehub')));
		});

		it('an imported example keeps its readable path', async () => {
			const demoId = n8n.workflowIds[0];
			expect(await registeredWebhooks(demoId)).toEqual([
				{ webhookPath: 'wehub', method: 'POST', webhookId: null },
				{
					webhookPath: 'wehub/media/:id',
					method: 'GET',
					webhookId: 'ca212fcf-2d2c-44bb-afe8-358333a24ee7',
				},
				{ webhookPath: 'wehub/upload', method: 'POST', webhookId: null },
			]);
			expectSignedLogin(await logIn(n8n.webhookUrl('wehub')));
		});

		it('a workflow imported from JSON without a path answers at its webhook ID', async () => {
			expectSignedLogin(await logIn(n8n.webhookUrl(EXPORTED_ID)));
			expect(await webhookLive(n8n.baseUrl, `${EXPORTED_ID}/upload`)).toBe(true);
		});

		it('listener mode without a path listens at /<webhook ID>', async () => {
			const url = `http://127.0.0.1:${listenerPort}/${LISTENER_ID}`;
			// n8n 2.x activates long-running triggers a few seconds after it is ready.
			await waitForListener(listenerPort);
			expectSignedLogin(await logIn(url));
			expect((await logIn(`http://127.0.0.1:${listenerPort}/wehub`)).status).toBe(404);
			expect(n8n.logs()).toContain(`callback URL ${url}, upload URL ${url}/upload`);
		});
	});

	describe('the credential test on Save', () => {
		/** The credential's data as the editor holds it: every field at its default, then the user's. */
		const editorData = (data: Record<string, unknown>) => ({
			...Object.fromEntries(
				(new WeHubApi() as ICredentialType).properties.map((property) => [
					property.name,
					property.default,
				]),
			),
			...data,
		});

		it('is run by the editor on Save: n8n tells it our nodes test this credential', async () => {
			const response = await fetch(`${n8n.baseUrl}/types/nodes.json`, { headers: { cookie } });
			const nodes = (await response.json()) as INodeTypeDescription[];
			const ours = nodes.filter((type) => type.name.startsWith('n8n-nodes-wehub.'));
			expect(ours.length).toBeGreaterThanOrEqual(2);
			for (const type of ours) {
				expect(type.credentials).toContainEqual(
					expect.objectContaining({ name: 'weHubApi', testedBy: 'weHubApiTest' }),
				);
			}
		});

		it.each([
			['without a Secret Key', { appId: 'e2e-no-key' }, 'Error'],
			['with a Secret Key', { appId: 'e2e-with-key', secretKey: 'k3y-of-the-appid' }, 'OK'],
		])('answers a credential saved %s', async (_case, data, status) => {
			// CredentialEdit's save: POST /rest/credentials (the data without defaults), then
			// POST /rest/credentials/test with the saved id and the full data.
			const saved = await editor.call<{ id: string }>('POST', '/credentials', {
				name: `WeHub ${data.appId}`,
				type: 'weHubApi',
				data,
			});
			const result = await editor.call<{ status: string; message: string }>(
				'POST',
				'/credentials/test',
				{
					credentials: {
						id: saved.id,
						name: `WeHub ${data.appId}`,
						type: 'weHubApi',
						data: editorData(data),
					},
				},
			);
			expect(result.status).toBe(status);
			if (status === 'Error') {
				expect(result.message.startsWith(MISSING_SECRET_KEY)).toBe(true);
			} else {
				expect(result.message).toMatch(/^The embedded task store answered/);
			}
		});
	});
});
