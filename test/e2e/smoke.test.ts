import { existsSync } from 'fs';
import { join } from 'path';
import { startN8n, type N8nInstance } from './harness';
import { REPO_ROOT } from './harness/runtime';
import { pingWorkflow } from './fixtures/pingWorkflow';

/** The harness itself: a real n8n on Node 24, driven over HTTP, inspected through its database. */
describe('a real n8n started by the e2e harness', () => {
	let n8n: N8nInstance;

	const ping = (wxid: string) =>
		fetch(n8n.webhookUrl('e2e-ping'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ action: 'ping', appid: 'demo-appid', wxid, data: {} }),
		});

	beforeAll(async () => {
		n8n = await startN8n({ workflows: [pingWorkflow] });
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('runs an imported, activated webhook workflow and answers with its last node', async () => {
		const response = await ping('wxid_smoke_1');

		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ reply: 'pong from wxid_smoke_1' });
	});

	it('stores the execution, with the items every node output', async () => {
		const [execution] = await n8n.waitForExecutions(pingWorkflow.id as string, 1, {
			withData: true,
		});

		expect(execution).toMatchObject({
			workflowId: pingWorkflow.id,
			mode: 'webhook',
			status: 'success',
		});
		expect(execution.nodes?.Pong[0][0][0]).toEqual({ reply: 'pong from wxid_smoke_1' });
	});

	it('keeps the workflow active across a restart', async () => {
		await n8n.restart();

		const response = await ping('wxid_smoke_2');
		const answer = { status: response.status, body: await response.text() };

		expect(answer).toMatchObject({ status: 200 }); // a failure prints n8n's body
		expect(JSON.parse(answer.body)).toEqual({ reply: 'pong from wxid_smoke_2' });
		expect(await n8n.waitForExecutions(pingWorkflow.id as string, 2)).toHaveLength(2);
	});

	const builtTrigger = join(REPO_ROOT, 'dist', 'nodes', 'WeHub', 'WeHubTrigger.node.js');
	(existsSync(builtTrigger) ? it : it.skip)(
		'loads this package: n8n knows the WeHub node types',
		async () => {
			const types = await n8n.nodeTypes();

			expect(types).toEqual(
				expect.arrayContaining(['n8n-nodes-wehub.weHubTrigger', 'n8n-nodes-wehub.weHub']),
			);
		},
	);
});
