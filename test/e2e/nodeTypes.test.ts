import { execFileSync } from 'child_process';
import { join } from 'path';
import type { INodeParameters, INodeTypeDescription } from 'n8n-workflow';

import { ensureOwner } from '../../scripts/n8n/owner';
import { startN8n, type N8nInstance } from './harness';
import { REPO_ROOT } from './harness/runtime';

/**
 * What the editor of a real n8n gets about this package: the node types it loads from
 * /types/nodes.json (codex categories and aliases for the node picker, and the "WeHub Tool" that
 * n8n derives for AI Agents), with parameters resolved by that n8n's own n8n-workflow.
 * The same entries in a browser: `npm run screenshots` (test/e2e/ui/screenshots.ts).
 */
const PACKAGE = 'n8n-nodes-wehub';

type NodeHelpersModule = typeof import('n8n-workflow');

describe('the node types a real n8n gives its editor', () => {
	let n8n: N8nInstance;
	let types: Map<string, INodeTypeDescription>;
	let NodeHelpers: NodeHelpersModule['NodeHelpers'];

	const type = (name: string) => {
		const found = types.get(`${PACKAGE}.${name}`);
		if (!found) throw new Error(`n8n lists no ${PACKAGE}.${name}`);
		return found;
	};

	/** The parameters n8n runs a node with, for what a saved workflow holds. */
	const resolved = (name: string, saved: INodeParameters) => {
		const description = type(name);
		const node = {
			id: 'wehub-1',
			name: 'WeHub',
			type: description.name,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			parameters: saved,
		};
		return NodeHelpers.getNodeParameters(
			description.properties,
			saved,
			true,
			false,
			node,
			description,
		) as INodeParameters;
	};

	beforeAll(async () => {
		n8n = await startN8n();
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		({ NodeHelpers } = require(
			join(n8n.paths.n8nRoot, 'node_modules', 'n8n-workflow'),
		) as NodeHelpersModule);
		const { cookie } = await ensureOwner(n8n.baseUrl, { userFolder: n8n.userFolder });
		const response = await fetch(`${n8n.baseUrl}/types/nodes.json`, { headers: { cookie } });
		expect(response.status).toBe(200);
		const all = (await response.json()) as INodeTypeDescription[];
		types = new Map(
			all.filter((t) => t.name.startsWith(`${PACKAGE}.`)).map((t) => [t.name, t] as const),
		);
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('the published package holds both codex files next to their nodes', () => {
		const [packed] = JSON.parse(
			execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
				cwd: REPO_ROOT,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			}),
		) as Array<{ files: Array<{ path: string }> }>;
		const files = packed.files.map((file) => file.path);

		expect(files).toEqual(
			expect.arrayContaining([
				'dist/nodes/WeHub/WeHub.node.js',
				'dist/nodes/WeHub/WeHub.node.json',
				'dist/nodes/WeHub/WeHubTrigger.node.js',
				'dist/nodes/WeHub/WeHubTrigger.node.json',
			]),
		);
	});

	it.each(['weHub', 'weHubTrigger'])(
		'%s: filed under Communication, found by 微信 and WeChat',
		(name) => {
			expect(type(name).codex).toMatchObject({
				categories: ['Communication'],
				alias: expect.arrayContaining(['微信', 'WeChat']),
			});
		},
	);

	it('both nodes have one description: the picker shows it for the merged WeHub entry', () => {
		expect(type('weHubTrigger').description).toBe(type('weHub').description);
	});

	it('the WeHub Tool is an AI tool that keeps the aliases and describes itself for the model', () => {
		expect(type('weHubTool')).toMatchObject({
			displayName: 'WeHub Tool',
			description: expect.stringMatching(/^Send WeChat messages .* queues a task/),
			codex: {
				categories: ['AI'],
				subcategories: { AI: ['Tools'] },
				alias: expect.arrayContaining(['微信', 'WeChat']),
			},
		});
	});

	it('the WeHub Tool as the editor saves it: the model names the chat and writes the text', () => {
		// What n8n 2.40.7's editor saved for a WeHub Tool just added under an AI Agent: every
		// parameter equal to its default dropped, the text kept (its unit default is empty).
		const saved = {
			messages: {
				unit: [
					{
						text: "={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('text', `The text of the WeChat message; WeChat emoji as [微笑]-style codes`, 'string') }}",
					},
				],
			},
			options: {},
		};

		expect(resolved('weHubTool', saved)).toMatchObject({
			resource: 'message',
			operation: 'send',
			botWxid: '',
			sendTo: 'wxid',
			toWxid: expect.stringContaining("$fromAI('to_wxid',"),
			messages: { unit: [{ type: 'text', text: expect.stringContaining("$fromAI('text',") }] },
		});
	});

	it('the WeHub node itself is unchanged: its input item’s bot, Same Chat', () => {
		const parameters = resolved('weHub', { options: {} });

		expect(parameters).toMatchObject({
			botWxid: '={{ $json.bot_wxid }}',
			sendTo: 'sameChat',
			messages: { unit: [{ type: 'text', text: '' }] },
		});
		expect(parameters).not.toHaveProperty('toWxid');
	});
});
