import type { IDataObject, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { networkInterfaces } from 'node:os';

import { LISTENER_DEFAULTS } from '../defaults';
import { parseIpAllowList, splitIpList } from '../listener/ipAllowList';
import { ListenerBindError } from '../listener/ListenerBindError';
import {
	DEFAULT_LISTENER_CONFIG,
	type ListenerConfig,
	type WebSocketConfig,
} from '../listener/ListenerConfig';
import { subscribe } from '../listener/listenerRegistry';
import type { CallbackContext } from '../trigger/handleCallback';
import { triggerOwner } from '../trigger/triggerOwner';
import { N8nAdapter } from './n8nAdapter';
import { callbackPath } from './properties/webhooks';

/**
 * `trigger()` of the WeHub Trigger in "Own Listener" mode: opens (or joins) the listener of this
 * workflow node and returns n8n's closeFunction. Throws a NodeOperationError naming host:port
 * when the port cannot be opened, so activation fails visibly instead of n8n retrying silently.
 */
export async function startListenerTrigger(fns: ITriggerFunctions): Promise<ITriggerResponse> {
	const node = fns.getNode();
	const adapter = new N8nAdapter(fns);
	const manual = fns.getMode() === 'manual';
	const owner = triggerOwner(fns.getWorkflow().id ?? 'unsaved', node.name);
	let config: ListenerConfig;
	let context: CallbackContext;
	try {
		// A manual run's events are not kept: it lives for one event and n8n closes it right after.
		config = listenerConfigFrom(fns, manual ? undefined : owner);
		context = await adapter.context();
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message);
	}
	adapter.warnWhenStoreSplits(context.settings);

	// The inbox forgets an event only once n8n reports its execution ended.
	const track = !manual && (config.maxRunningExecutions > 0 || config.inbox !== undefined);
	let handle;
	try {
		handle = await subscribe({
			owner,
			config,
			context,
			subscriber: {
				kind: manual ? 'manual' : 'production',
				events: context.options.events,
				deliver: async (delivery) => await adapter.emit(delivery, track),
			},
			log: (level, message) => fns.logger[level](message, { node: node.name }),
		});
	} catch (error) {
		const bindFailure = error instanceof ListenerBindError;
		throw new NodeOperationError(node, (error as Error).message, {
			description: bindFailure
				? 'Change the Port (and the URLs in WeHub), or stop whatever listens there. In queue mode only the leader main process listens.'
				: undefined,
		});
	}

	const options = fns.getNodeParameter('listenerOptions', {}) as IDataObject;
	const callbackUrl = publicBaseUrl(config, options.publicUrl);
	// The editor shows no URL in listener mode, and an empty Path is the node's webhook ID.
	const webSocket = config.webSocket ? `, WebSocket for 0.4.2+ ${config.webSocket.url}` : '';
	fns.logger.info(
		`WeHub Trigger listens for WeHub: callback URL ${callbackUrl}, upload URL ${callbackUrl}/upload${webSocket}`,
		{ node: node.name },
	);
	// Fails with a NodeOperationError when the store is unusable; the port must not stay open then.
	await adapter
		.recordMediaBaseUrl(context, `${callbackUrl}/media`)
		.catch(async (error: unknown) => {
			await handle.close();
			return await Promise.reject(error);
		});
	return { closeFunction: async () => await handle.close() };
}

/**
 * Reads host, port, path (the node's webhook ID when Path is empty) and limits; with an inbox
 * owner (the trigger, see triggerOwner), Durable Delivery as its options say.
 */
function listenerConfigFrom(
	fns: Pick<ITriggerFunctions, 'getNode' | 'getNodeParameter'>,
	inboxOwner: string | undefined,
): ListenerConfig {
	const options = fns.getNodeParameter('listenerOptions', {}) as IDataObject;
	const port = Number(fns.getNodeParameter('listenerPort', LISTENER_DEFAULTS.port));
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new Error(`The listener port must be a whole number from 1 to 65535, not ${port}`);
	}
	const allowedIps = splitIpList(String(options.allowedIps ?? ''));
	parseIpAllowList(allowedIps); // Throws on a typo now rather than locking WeHub out later.
	const defaults = DEFAULT_LISTENER_CONFIG;
	const host = String(fns.getNodeParameter('listenerHost', LISTENER_DEFAULTS.host)).trim();
	const path = callbackPath(fns.getNodeParameter('path', ''), fns.getNode());
	if (path === null) {
		throw new Error(
			'Path is empty and this node has no webhook ID (its workflow was imported from a file without one): set Path',
		);
	}
	const config: ListenerConfig = {
		...defaults,
		host: host || LISTENER_DEFAULTS.host,
		port,
		path,
		allowedIps,
		maxBodyBytes: positive(options.maxBodySizeMb, defaults.maxBodyBytes / MB) * MB,
		maxConcurrentRequests: positive(options.maxConcurrentRequests, defaults.maxConcurrentRequests),
		maxRunningExecutions: nonNegative(options.maxRunningExecutions, defaults.maxRunningExecutions),
	};
	if (options.offerWebSocket === true) config.webSocket = webSocketConfig(config, options);
	if (inboxOwner !== undefined && options.durableDelivery !== false) {
		config.inbox = {
			owner: inboxOwner,
			leaseMs: LISTENER_DEFAULTS.inboxLeaseMs,
			maxEntries: positive(options.maxUndeliveredEvents, LISTENER_DEFAULTS.maxUndeliveredEvents),
			maxAgeMs:
				positive(options.undeliveredMaxAgeHours, LISTENER_DEFAULTS.undeliveredMaxAgeHours) *
				3_600_000,
		};
	}
	return config;
}

/** The socket shares the listener's port; its URL follows the callback URL (wss:// behind https). */
function webSocketConfig(config: ListenerConfig, options: IDataObject): WebSocketConfig {
	const callbackUrl = publicBaseUrl(config, options.publicUrl);
	return {
		url: `${callbackUrl.replace(/^http(s?):\/\//i, 'ws$1://')}/ws`,
		heartbeatSeconds: positive(
			options.webSocketHeartbeatSeconds,
			LISTENER_DEFAULTS.webSocketHeartbeatSeconds,
		),
		maxConnections: positive(
			options.maxWebSocketConnections,
			LISTENER_DEFAULTS.maxWebSocketConnections,
		),
		maxPushedTasksInFlight: LISTENER_DEFAULTS.maxPushedTasksInFlight,
		maxBufferedBytes: LISTENER_DEFAULTS.maxSocketBufferedBytes,
		backlogRecheckMs: LISTENER_DEFAULTS.backlogRecheckMs,
	};
}

/** The callback URL as WeHub reaches it: the Public URL option, else this machine's address. */
function publicBaseUrl(config: ListenerConfig, publicUrl: unknown): string {
	const given = String(publicUrl ?? '')
		.trim()
		.replace(/\/+$/, '');
	return given || `http://${reachableHost(config.host)}:${config.port}/${config.path}`;
}

/** A wildcard bind address is not a URL WeHub can use: take this machine's first LAN address. */
function reachableHost(host: string): string {
	if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
	for (const addresses of Object.values(networkInterfaces())) {
		const lan = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
		if (lan) return lan.address;
	}
	return '127.0.0.1';
}

const MB = 1024 * 1024;

function positive(value: unknown, fallback: number): number {
	const n = Number(value ?? fallback);
	return Number.isFinite(n) && n > 0 ? n : fallback;
}

function nonNegative(value: unknown, fallback: number): number {
	const n = Number(value ?? fallback);
	return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}
