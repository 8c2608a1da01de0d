import type { INodeProperties } from 'n8n-workflow';

import { LISTENER_DEFAULTS } from '../../defaults';
import { WHEN_LISTENER } from './receiveVia';

const MB = 1024 * 1024;

/** The listener's own fields, shown in listener mode. */
export const listenerProperties: INodeProperties[] = [
	{
		displayName:
			'In WeHub, set the callback URL to http://<this machine>:<port>/<path> and the upload URL to the same followed by /upload. The port opens when the workflow is active (1-3 s later on n8n 2.x); GET /healthz answers while it listens.',
		name: 'listenerNotice',
		type: 'notice',
		default: '',
		displayOptions: WHEN_LISTENER,
	},
	{
		displayName: 'Host',
		name: 'listenerHost',
		type: 'string',
		default: LISTENER_DEFAULTS.host,
		placeholder: 'e.g. 0.0.0.0',
		description:
			'Address to listen on: 0.0.0.0 for every network interface, 127.0.0.1 for this machine only',
		displayOptions: WHEN_LISTENER,
	},
	{
		displayName: 'Port',
		name: 'listenerPort',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 65535 },
		default: LISTENER_DEFAULTS.port,
		description: 'Port to listen on; each WeHub Trigger in listener mode needs its own',
		displayOptions: WHEN_LISTENER,
	},
	{
		displayName: 'Listener Options',
		name: 'listenerOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: WHEN_LISTENER,
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
				displayName: 'Durable Delivery',
				name: 'durableDelivery',
				type: 'boolean',
				default: true,
				description:
					'Whether to keep every event WeHub was told was received until its execution has ended, so that n8n dying in between loses none: the next start replays it (items say replayed: true; sends of the WeHub node are not repeated, other side effects can be). Off: at most once, one store write less per event.',
			},
			{
				displayName: 'Max Body Size (MB)',
				name: 'maxBodySizeMb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: LISTENER_DEFAULTS.maxBodyBytes / MB,
				description:
					'Larger callbacks are refused with a 413 ack; contact reports can exceed 10 MB',
			},
			{
				displayName: 'Max Concurrent Requests',
				name: 'maxConcurrentRequests',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: LISTENER_DEFAULTS.maxConcurrentRequests,
				description: 'Requests answered at once; more are refused with a 503 ack',
			},
			{
				displayName: 'Max Running Executions',
				name: 'maxRunningExecutions',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: LISTENER_DEFAULTS.maxRunningExecutions,
				description:
					"Executions started by this trigger that may run at once; when all are busy the WeHub ack waits (up to 25 s) for one to end. 0 = no limit. Set 0 for workflows on n8n's engine 2.0, which cannot report when an execution ends.",
			},
			{
				displayName: 'Max Undelivered Events',
				name: 'maxUndeliveredEvents',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: LISTENER_DEFAULTS.maxUndeliveredEvents,
				description:
					'Events kept at once whose executions have not ended; beyond it WeHub gets an error ack instead of a promise the store cannot keep',
				displayOptions: { show: { durableDelivery: [true] } },
			},
			{
				displayName: 'Max WebSocket Connections',
				name: 'maxWebSocketConnections',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: LISTENER_DEFAULTS.maxWebSocketConnections,
				description:
					'Bots connected at once over the WebSocket; more are refused (they poll after a new login)',
				displayOptions: { show: { offerWebSocket: [true] } },
			},
			{
				displayName: 'Offer WebSocket (WeHub 0.4.2+)',
				name: 'offerWebSocket',
				type: 'boolean',
				default: false,
				description:
					'Whether to move clients that can (0.4.2 and later) to a WebSocket on this port after their login: tasks are pushed the moment they exist instead of waiting for the next pull_task, and idle bots cost almost nothing. Older clients keep polling. A proxy in front must pass WebSocket upgrades on <path>/ws.',
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
			{
				displayName: 'Undelivered Events Kept (Hours)',
				name: 'undeliveredMaxAgeHours',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: LISTENER_DEFAULTS.undeliveredMaxAgeHours,
				description: 'An event still undelivered after this long is dropped instead of replayed',
				displayOptions: { show: { durableDelivery: [true] } },
			},
			{
				displayName: 'WebSocket Heartbeat (Seconds)',
				name: 'webSocketHeartbeatSeconds',
				type: 'number',
				typeOptions: { minValue: 5 },
				default: LISTENER_DEFAULTS.webSocketHeartbeatSeconds,
				description:
					'How often WeHub sends a heartbeat on its WebSocket; a bot is offline after missing two',
				displayOptions: { show: { offerWebSocket: [true] } },
			},
		],
	},
];
