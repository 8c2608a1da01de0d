import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { LISTENER_DEFAULTS } from '../../nodes/WeHub/defaults';
import { WeHub } from '../../nodes/WeHub/WeHub.node';
import { loadScenario } from '../../sim/scenario';
import { WeHubTrigger } from '../../nodes/WeHub/WeHubTrigger.node';
import { checkParameters } from './parameterCheck';

interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

interface Workflow {
	id: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: string; index: number }>> }
	>;
	settings: Record<string, unknown>;
}

const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');
const TRIGGER_TYPE = 'n8n-nodes-wehub.weHubTrigger';
const ACTION_TYPE = 'n8n-nodes-wehub.weHub';
const DEMO_CREDENTIAL = { id: 'wehubDemoCredential', name: 'WeHub Demo' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Built-in nodes the examples may use, at type versions both n8n 2.40.7 and 1.123.81 ship
 * (Data table 1.1 and its Table resource: 2.x only, as the examples' notes say).
 */
const BUILT_IN_VERSIONS: Record<string, number[]> = {
	'n8n-nodes-base.code': [2],
	'n8n-nodes-base.dataTable': [1.1],
	'n8n-nodes-base.if': [2.2],
	'n8n-nodes-base.noOp': [1],
	'n8n-nodes-base.readWriteFile': [1],
	'n8n-nodes-base.stickyNote': [1],
	'n8n-nodes-base.switch': [3.2],
};

const OUR_NODES: Record<string, INodeTypeDescription> = {
	[TRIGGER_TYPE]: new WeHubTrigger().description,
	[ACTION_TYPE]: new WeHub().description,
};

const examples: Array<[string, Workflow]> = readdirSync(EXAMPLES_DIR)
	.filter((file) => file.endsWith('.json'))
	.sort()
	.map((file) => [file, JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as Workflow]);

const triggerOf = (workflow: Workflow) => workflow.nodes.find((n) => n.type === TRIGGER_TYPE);

interface SwitchRule {
	conditions: { conditions: Array<{ leftValue: string; rightValue: unknown }> };
}

/** The events a Switch routes on: right values of its conditions on `json.event`. */
function eventRules(node: WorkflowNode): unknown[] {
	const rules = (node.parameters.rules as { values: SwitchRule[] }).values;
	return rules
		.flatMap((rule) => rule.conditions.conditions)
		.filter((c) => c.leftValue.includes('json.event'))
		.map((c) => c.rightValue);
}

describe('examples/', () => {
	it('holds the two demos and six examples', () => {
		expect(examples.map(([file]) => file)).toEqual([
			'wehub-crm-contacts.json',
			'wehub-demo-websocket.json',
			'wehub-demo.json',
			'wehub-friend-requests.json',
			'wehub-keyword-replies.json',
			'wehub-message-log.json',
			'wehub-room-moderation.json',
			'wehub-save-media.json',
		]);
	});

	it('has two "WeHub Demo" workflows (npm start activates them by name): webhook mode on path wehub, and listener mode offering the WebSocket on its own port', () => {
		const demos = examples.filter(([, w]) => w.name.startsWith('WeHub Demo'));
		expect(demos.map(([file]) => file)).toEqual(['wehub-demo-websocket.json', 'wehub-demo.json']);
		const [webSocket, webhook] = demos.map(([, w]) => triggerOf(w)?.parameters);
		expect(webhook).toMatchObject({ receiveVia: 'webhook', path: 'wehub' });
		expect(webSocket).toMatchObject({
			receiveVia: 'listener',
			path: 'wehub-ws',
			listenerHost: '127.0.0.1',
			listenerOptions: { offerWebSocket: true },
		});
		// Not n8n's port, nor the listener's default (left free for a listener trigger of one's own).
		expect([5678, LISTENER_DEFAULTS.port]).not.toContain(webSocket?.listenerPort);
	});

	it('gives every workflow its own id and every trigger its own path and webhookId', () => {
		const ids = examples.map(([, w]) => w.id);
		const paths = examples.map(([, w]) => triggerOf(w)?.parameters.path);
		const webhookIds = examples.map(([, w]) => triggerOf(w)?.webhookId);
		expect(new Set(ids).size).toBe(examples.length);
		expect(new Set(paths).size).toBe(examples.length);
		expect(new Set(webhookIds).size).toBe(examples.length);
	});

	it('imports every workflow inactive, so they can sit side by side', () => {
		for (const [, workflow] of examples) expect(workflow.active).toBe(false);
	});
});

describe.each(examples)('%s', (file, workflow) => {
	const names = workflow.nodes.map((n) => n.name);

	it('is an n8n workflow export with a fixed id', () => {
		expect(workflow.id).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(typeof workflow.name).toBe('string');
		expect(workflow.settings).toEqual({ executionOrder: 'v1' });
		expect(new Set(names).size).toBe(names.length);
		expect(new Set(workflow.nodes.map((n) => n.id)).size).toBe(names.length);
		for (const node of workflow.nodes) {
			expect(node.id).toMatch(UUID);
			expect(node.position).toEqual([expect.any(Number), expect.any(Number)]);
			expect(typeof node.parameters).toBe('object');
		}
	});

	it('uses only its own nodes and built-in nodes at versions both n8n 1.x and 2.x know', () => {
		for (const node of workflow.nodes) {
			const ours = OUR_NODES[node.type];
			if (ours) expect(node.typeVersion).toBe(ours.version);
			else expect(BUILT_IN_VERSIONS[node.type]).toContain(node.typeVersion);
		}
	});

	it("starts from exactly one WeHub Trigger with a webhookId, on n8n's webhook URL but for the WebSocket demo", () => {
		const triggers = workflow.nodes.filter((n) => n.type === TRIGGER_TYPE);
		expect(triggers).toHaveLength(1);
		expect(triggers[0].webhookId).toMatch(UUID);
		expect(triggers[0].parameters.receiveVia).toBe(
			file === 'wehub-demo-websocket.json' ? 'listener' : 'webhook',
		);
		expect(workflow.connections[triggers[0].name]?.main[0]?.length).toBeGreaterThan(0);
	});

	it('connects only nodes that exist, and leaves no WeHub node unconnected', () => {
		const targets = new Set<string>();
		for (const [source, { main }] of Object.entries(workflow.connections)) {
			expect(names).toContain(source);
			for (const output of main) {
				for (const link of output) {
					expect(names).toContain(link.node);
					expect(link).toMatchObject({ type: 'main', index: 0 });
					targets.add(link.node);
				}
			}
		}
		for (const node of workflow.nodes.filter((n) => n.type === ACTION_TYPE)) {
			expect(targets).toContain(node.name);
		}
	});

	it('sets only parameters and option values the WeHub nodes describe, where they are shown', () => {
		for (const node of workflow.nodes.filter((n) => OUR_NODES[n.type])) {
			const properties = OUR_NODES[node.type].properties as INodeProperties[];
			expect({ node: node.name, problems: checkParameters(properties, node.parameters) }).toEqual({
				node: node.name,
				problems: [],
			});
		}
	});

	it('uses the demo credential on every WeHub node', () => {
		for (const node of workflow.nodes.filter((n) => OUR_NODES[n.type])) {
			expect(node.credentials).toEqual({ weHubApi: DEMO_CREDENTIAL });
		}
	});

	it("refers in expressions only to nodes of the workflow ($('Name'))", () => {
		const referenced = [...JSON.stringify(workflow.nodes).matchAll(/\$\('([^']+)'\)/g)].map(
			(m) => m[1],
		);
		for (const name of referenced) expect(names).toContain(name);
	});

	it('routes only on events its trigger emits', () => {
		const events = triggerOf(workflow)?.parameters.events as string[];
		for (const node of workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.switch')) {
			const routed = eventRules(node);
			if (node.name === 'Route by Event') expect(routed.length).toBeGreaterThan(0);
			for (const event of routed) expect(events).toContain(event);
		}
	});
});

describe('examples/sim/ (simulator scenarios for the examples)', () => {
	const scenarioFiles = readdirSync(join(EXAMPLES_DIR, 'sim')).filter((f) => f.endsWith('.json'));

	it.each(scenarioFiles)('%s is a scenario wehub-sim runs', (file) => {
		const scenario = loadScenario(join(EXAMPLES_DIR, 'sim', file));
		expect(scenario.steps[0].name).toBe('login');
		expect(scenario.steps.at(-1)?.name).toBe('logout');
	});
});

describe('checkParameters (the check the examples pass)', () => {
	const actionProperties = new WeHub().description.properties;
	const send = { resource: 'message', operation: 'send' };

	it('accepts a reply in the same chat', () => {
		const parameters = {
			...send,
			sendTo: 'sameChat',
			messages: { unit: [{ type: 'text', text: 'pong' }] },
		};
		expect(checkParameters(actionProperties, parameters)).toEqual([]);
	});

	it('reports a parameter the node does not have', () => {
		expect(checkParameters(actionProperties, { ...send, replyTo: 'x' })).toEqual([
			'replyTo: no such parameter',
		]);
	});

	it('reports a parameter hidden by the chosen operation', () => {
		expect(checkParameters(actionProperties, { ...send, fileIndex: 'abc' })).toEqual([
			'fileIndex: hidden by displayOptions',
		]);
	});

	it('reports an option value the node does not offer, also inside fixed collections', () => {
		const parameters = { ...send, sendTo: 'chat', messages: { unit: [{ type: 'sticker' }] } };
		expect(checkParameters(actionProperties, parameters)).toEqual([
			expect.stringContaining('sendTo: "chat" is not one of'),
			expect.stringContaining('messages.unit[0].type: "sticker" is not one of'),
		]);
	});

	it('reports an option shown only under another option, and an empty required field', () => {
		const parameters = { ...send, sendTo: 'wxid', options: { waitTimeoutSeconds: 30 } };
		expect(checkParameters(actionProperties, parameters)).toEqual([
			'options.waitTimeoutSeconds: hidden by displayOptions',
			'toWxid: required and empty',
		]);
	});
});
