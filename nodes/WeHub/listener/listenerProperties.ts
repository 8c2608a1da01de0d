import type { INodeParameters, INodeProperties } from 'n8n-workflow';

import { DEFAULT_LISTENER_CONFIG, DEFAULT_LISTENER_PORT } from './ListenerConfig';

/** Parameter value of "Receive Via" that turns the listener on. */
export const RECEIVE_VIA_LISTENER = 'listener';

const whenListener = { show: { receiveVia: [RECEIVE_VIA_LISTENER] } };
const MB = 1024 * 1024;

/** The trigger's "Receive Via" choice and the listener's own fields. */
export const receiveViaProperty: INodeProperties = {
	displayName: 'Receive Via',
	name: 'receiveVia',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'n8n Webhook URL',
			value: 'webhook',
			description: "WeHub calls n8n's webhook URL (simple; about 40 requests per second)",
		},
		{
			name: 'Own Listener (High Volume)',
			value: RECEIVE_VIA_LISTENER,
			description:
				'The node opens its own port inside n8n (thousands of requests per second; only events start executions)',
		},
	],
	default: 'webhook',
	description: 'How WeHub reaches this trigger. See docs/scaling.md of the package.',
};

export const listenerProperties: INodeProperties[] = [
	{
		displayName:
			'In WeHub, set the callback URL to http://<this machine>:<port>/<path> and the upload URL to the same followed by /upload. The port opens when the workflow is active (1-3 s later on n8n 2.x); GET /healthz answers while it listens.',
		name: 'listenerNotice',
		type: 'notice',
		default: '',
		displayOptions: whenListener,
	},
	{
		displayName: 'Host',
		name: 'listenerHost',
		type: 'string',
		default: '0.0.0.0',
		placeholder: 'e.g. 0.0.0.0',
		description:
			'Address to listen on: 0.0.0.0 for every network interface, 127.0.0.1 for this machine only',
		displayOptions: whenListener,
	},
	{
		displayName: 'Port',
		name: 'listenerPort',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 65535 },
		default: DEFAULT_LISTENER_PORT,
		description: 'Port to listen on; each WeHub Trigger in listener mode needs its own',
		displayOptions: whenListener,
	},
	{
		displayName: 'Listener Options',
		name: 'listenerOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: whenListener,
		options: [
			{
				displayName: 'Allowed IPs',
				name: 'allowedIps',
				type: 'string',
				default: '',
				placeholder: 'e.g. 192.168.1.20, 10.0.0.0/8',
				description:
					'Addresses or CIDR ranges allowed to call the listener, separated by commas; empty allows everyone',
			},
			{
				displayName: 'Max Body Size (MB)',
				name: 'maxBodySizeMb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_LISTENER_CONFIG.maxBodyBytes / MB,
				description:
					'Larger callbacks are refused with a 413 ack; contact reports can exceed 10 MB',
			},
			{
				displayName: 'Max Concurrent Requests',
				name: 'maxConcurrentRequests',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_LISTENER_CONFIG.maxConcurrentRequests,
				description: 'Requests answered at once; more are refused with a 503 ack',
			},
			{
				displayName: 'Max Running Executions',
				name: 'maxRunningExecutions',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_LISTENER_CONFIG.maxRunningExecutions,
				description:
					"Executions started by this trigger that may run at once; when all are busy the WeHub ack waits (up to 25 s) for one to end. 0 = no limit. Set 0 for workflows on n8n's engine 2.0, which cannot report when an execution ends.",
			},
			{
				displayName: 'Public URL',
				name: 'publicUrl',
				type: 'string',
				default: '',
				placeholder: 'e.g. http://192.168.1.10:5690/wehub',
				description:
					'The callback URL as WeHub reaches it (behind a proxy or load balancer); media URLs of the WeHub node are built from it. Empty: http://<host>:<port>/<path>.',
			},
		],
	},
];

/**
 * n8n-workflow's WEBHOOK_RESOLVERS (n8n 2.40+). A registered symbol: Symbol.for finds it whichever
 * n8n-workflow loaded the node, and older n8n never looks.
 */
const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

/**
 * The `path` of one of the trigger's webhooks: the node's Path followed by `suffix`, or null in
 * listener mode (n8n then registers no webhook, so "Execute workflow" runs trigger() instead of
 * waiting on a test URL).
 *
 * The editor and n8n before 2.40 evaluate the expression. n8n 2.40+ also takes a native resolver
 * of that same template and then leaves its expression engine (a sandboxed isolate) out of every
 * webhook request: evaluating the three paths there was most of what a poll cost on this path.
 */
export function webhookPathUnlessListener(suffix: string) {
	const template = `={{$parameter["receiveVia"] === "${RECEIVE_VIA_LISTENER}" ? null : $parameter["path"] + "${suffix}"}}`;
	// Same semantics as the template, JavaScript `+` included.
	const resolve = (parameters: INodeParameters) =>
		parameters.receiveVia === RECEIVE_VIA_LISTENER ? null : String(parameters.path) + suffix;
	return { path: template, [WEBHOOK_RESOLVERS]: { path: { template, resolve } } };
}

/** Hides the node's webhook URLs in the editor when they are not used. */
export const HIDE_URL_IN_LISTENER_MODE = `={{$parameter["receiveVia"] === "${RECEIVE_VIA_LISTENER}"}}`;

/** Shows a property only in webhook mode. */
export const WHEN_WEBHOOK = { hide: { receiveVia: [RECEIVE_VIA_LISTENER] } };
