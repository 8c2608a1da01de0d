import {
	NodeHelpers,
	Workflow,
	type INode,
	type INodeParameters,
	type INodeTypes,
	type IWebhookDescription,
} from 'n8n-workflow';

import { callbackPath } from '../../../nodes/WeHub/receive/properties/webhooks';
import { WeHubTrigger } from '../../../nodes/WeHub/WeHubTrigger.node';

/**
 * The URLs n8n gives the WeHub Trigger's three webhooks, worked out as n8n does: its expression
 * engine evaluates each webhook's `path` and `isFullPath` for the node (parameters completed with
 * their defaults by n8n-workflow's Workflow), and NodeHelpers.getNodeWebhookUrl joins them with
 * the node's webhook ID (n8n's webhook service registers the same paths).
 */
const trigger = new WeHubTrigger();
const nodeTypes = {
	getByName: () => trigger,
	getByNameAndVersion: () => trigger,
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

/** What n8n's editor gives every node with webhooks when it is added: a v4 UUID. */
const WEBHOOK_ID = '5b0c2a8e-1d7e-4c55-9f0a-2f5b7c1d9e01';
const OTHER_WEBHOOK_ID = 'c9e4f1a2-7b3d-4e8f-a0b1-2c3d4e5f6a7b';
const BASE = 'https://n8n.example.com/webhook';

function triggerNode(
	parameters: INodeParameters,
	webhookId: string | undefined = WEBHOOK_ID,
): INode {
	return {
		id: '0f5d9a3c-2b1e-4c7d-8e9f-a1b2c3d4e5f6',
		name: 'WeHub Trigger',
		type: 'n8n-nodes-wehub.weHubTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...(webhookId ? { webhookId } : {}),
	};
}

/** name -> production URL, or null when n8n registers no webhook (listener mode). */
function webhookUrls(node: INode): Record<string, string | null> {
	const workflow = new Workflow({
		id: 'wehubFlow0001',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
	});
	const withDefaults = workflow.nodes[node.name];
	const evaluate = (value: unknown, fallback?: unknown) =>
		workflow.expression.getSimpleParameterValue(
			withDefaults,
			value as string,
			'internal',
			{},
			undefined,
			fallback as never,
		);
	return Object.fromEntries(
		(trigger.description.webhooks ?? []).map((webhook) => {
			const path = evaluate(webhook.path);
			const isFullPath = evaluate(webhook.isFullPath, false) as boolean;
			return [
				webhook.name,
				path === null || path === undefined
					? null
					: NodeHelpers.getNodeWebhookUrl(
							BASE,
							workflow.id,
							withDefaults,
							String(path),
							isFullPath,
						),
			];
		}),
	);
}

describe('WeHub Trigger webhook URLs', () => {
	it('has no default path: Path starts empty, and the node is not stuck on a required field', () => {
		const path = trigger.description.properties.find((property) => property.name === 'path');
		expect(path).toMatchObject({ default: '' });
		expect(path?.required).not.toBe(true);
	});

	it('serves a node added in the editor (no Path saved) under its own webhook ID', () => {
		expect(webhookUrls(triggerNode({}))).toEqual({
			default: `${BASE}/${WEBHOOK_ID}`,
			upload: `${BASE}/${WEBHOOK_ID}/upload`,
			// n8n keys a path with a parameter by the path alone: the webhook ID makes it this node's.
			media: `${BASE}/${WEBHOOK_ID}/${WEBHOOK_ID}/media/:id`,
		});
	});

	it('gives two fresh triggers two different URLs', () => {
		const first = webhookUrls(triggerNode({}));
		const second = webhookUrls(triggerNode({}, OTHER_WEBHOOK_ID));
		expect(second.default).toBe(`${BASE}/${OTHER_WEBHOOK_ID}`);
		for (const name of ['default', 'upload', 'media']) expect(second[name]).not.toBe(first[name]);
	});

	it.each([
		['wehub', 'wehub'],
		['wehub-crm', 'wehub-crm'],
		['  /shop/wehub-7f3k9q2x/ ', 'shop/wehub-7f3k9q2x'],
	])('keeps an explicit Path "%s" exactly where it was', (given, path) => {
		expect(webhookUrls(triggerNode({ path: given }))).toEqual({
			default: `${BASE}/${path}`,
			upload: `${BASE}/${path}/upload`,
			media: `${BASE}/${WEBHOOK_ID}/${path}/media/:id`,
		});
	});

	it('registers no webhook in listener mode, with or without a Path', () => {
		for (const parameters of [
			{ receiveVia: 'listener' },
			{ receiveVia: 'listener', path: 'wehub' },
		]) {
			expect(webhookUrls(triggerNode(parameters))).toEqual({
				default: null,
				upload: null,
				media: null,
			});
		}
	});

	describe('n8n 2.40+ resolves the same without its expression engine', () => {
		const resolvers = Symbol.for('n8n.webhookDescriptionResolvers');
		type Entry = { template: string; resolve: (parameters: INodeParameters) => unknown };
		const entries = (webhook: IWebhookDescription) =>
			(webhook as unknown as Record<symbol, Record<string, Entry>>)[resolvers];
		const cases: INodeParameters[] = [
			{ receiveVia: 'webhook', path: '' },
			{ receiveVia: 'webhook', path: 'wehub' },
			{ receiveVia: 'webhook', path: ' /wehub/ ' },
			{ receiveVia: 'listener', path: 'wehub' },
			{ receiveVia: 'listener', path: '' },
		];

		it('has a resolver for every template but the media path (it needs the webhook ID)', () => {
			const unresolved = (trigger.description.webhooks ?? []).flatMap((webhook) =>
				Object.entries(webhook)
					.filter(([, value]) => typeof value === 'string' && value.startsWith('='))
					.filter(([name]) => name !== 'ndvHideUrl' && entries(webhook)?.[name] === undefined)
					.map(([name]) => `${webhook.name}.${name}`),
			);
			expect(unresolved).toEqual(['media.path']);
		});

		it.each(trigger.description.webhooks ?? [])(
			'$name: each resolver gives what its template evaluates to',
			(webhook) => {
				for (const [name, entry] of Object.entries(entries(webhook) ?? {})) {
					const template = (webhook as unknown as Record<string, unknown>)[name];
					expect(entry.template).toBe(template);
					for (const parameters of cases) {
						const workflow = new Workflow({
							nodes: [triggerNode(parameters)],
							connections: {},
							active: false,
							nodeTypes,
						});
						const node = workflow.nodes['WeHub Trigger'];
						expect(entry.resolve(node.parameters)).toEqual(
							workflow.expression.getSimpleParameterValue(node, template as string, 'internal', {}),
						);
					}
				}
			},
		);
	});
});

describe('callbackPath (the listener takes its URL path from it)', () => {
	it.each<[unknown, string | undefined, string | null]>([
		['', WEBHOOK_ID, WEBHOOK_ID],
		[undefined, WEBHOOK_ID, WEBHOOK_ID],
		['   ', WEBHOOK_ID, WEBHOOK_ID],
		['wehub', WEBHOOK_ID, 'wehub'],
		['/wehub/', undefined, 'wehub'],
		['', undefined, null],
	])('Path %j with webhook ID %s: %s', (path, webhookId, expected) => {
		expect(callbackPath(path, { webhookId })).toBe(expected);
	});
});
