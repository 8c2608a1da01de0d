import type {
	IDataObject,
	IDeferredPromise,
	INodeExecutionData,
	IRun,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { networkInterfaces } from 'node:os';

import { MEDIA_BASE_URL_SETTING } from '../shared/mediaBaseUrl';
import { openStoreFor, settingsFromCredential } from '../shared/settings';
import type { CallbackContext } from '../trigger/handleCallback';
import { optionsFromParameters } from '../trigger/optionsFromParameters';
import { parseIpAllowList, splitIpList } from './ipAllowList';
import { ListenerBindError } from './ListenerBindError';
import {
	DEFAULT_LISTENER_CONFIG,
	DEFAULT_LISTENER_PORT,
	normalisePath,
	type ListenerConfig,
} from './ListenerConfig';
import { subscribe } from './listenerRegistry';
import type { Delivery, Subscriber } from './Subscriber';

/**
 * `trigger()` of the WeHub Trigger in "Own Listener" mode: opens (or joins) the listener of this
 * workflow node and returns n8n's closeFunction. Throws a NodeOperationError naming host:port
 * when the port cannot be opened, so activation fails visibly instead of n8n retrying silently.
 */
export async function startListenerTrigger(fns: ITriggerFunctions): Promise<ITriggerResponse> {
	const node = fns.getNode();
	const manual = fns.getMode() === 'manual';
	let config: ListenerConfig;
	let context: CallbackContext;
	try {
		config = listenerConfigFrom(fns);
		const settings = settingsFromCredential(await fns.getCredentials('weHubApi'));
		context = {
			settings,
			store: async () => await openStoreFor(settings),
			options: optionsFromParameters((name, fallback) =>
				fns.getNodeParameter(name, fallback as never),
			),
		};
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message);
	}

	const subscriber = subscriberFor(fns, manual, config.maxRunningExecutions > 0);
	const owner = `${fns.getWorkflow().id ?? 'unsaved'}/${node.name}`;
	let handle;
	try {
		handle = await subscribe({
			owner,
			config,
			context,
			subscriber: { ...subscriber, events: context.options.events },
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

	try {
		const options = fns.getNodeParameter('listenerOptions', {}) as IDataObject;
		await recordMediaBaseUrl(context, config, manual, String(options.publicUrl ?? ''));
	} catch (error) {
		await handle.close();
		throw new NodeOperationError(
			node,
			`The WeHub task store could not be opened: ${(error as Error).message}`,
		);
	}
	return { closeFunction: async () => await handle.close() };
}

/** Reads host, port, path and limits from the node's parameters. */
export function listenerConfigFrom(
	fns: Pick<ITriggerFunctions, 'getNodeParameter'>,
): ListenerConfig {
	const options = fns.getNodeParameter('listenerOptions', {}) as IDataObject;
	const port = Number(fns.getNodeParameter('listenerPort', DEFAULT_LISTENER_PORT));
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new Error(`The listener port must be a whole number from 1 to 65535, not ${port}`);
	}
	const allowedIps = splitIpList(String(options.allowedIps ?? ''));
	parseIpAllowList(allowedIps); // Throws on a typo now rather than locking WeHub out later.
	const defaults = DEFAULT_LISTENER_CONFIG;
	return {
		...defaults,
		host: String(fns.getNodeParameter('listenerHost', '0.0.0.0')).trim() || '0.0.0.0',
		port,
		path: normalisePath(String(fns.getNodeParameter('path', 'wehub'))),
		allowedIps,
		maxBodyBytes: positive(options.maxBodySizeMb, defaults.maxBodyBytes / MB) * MB,
		maxConcurrentRequests: positive(options.maxConcurrentRequests, defaults.maxConcurrentRequests),
		maxRunningExecutions: nonNegative(options.maxRunningExecutions, defaults.maxRunningExecutions),
	};
}

/**
 * Production: one execution per delivery; with a limit, `emit`'s donePromise tells when it ended.
 * Manual: n8n swaps `emit` after trigger() returns and closes the run after the first one, so
 * `fns.emit` is looked up at delivery time and nothing waits on it.
 */
function subscriberFor(
	fns: ITriggerFunctions,
	manual: boolean,
	tracked: boolean,
): Omit<Subscriber, 'events'> {
	return {
		kind: manual ? 'manual' : 'production',
		async deliver(delivery: Delivery) {
			try {
				const data = [await executionItems(fns, delivery)];
				if (manual || !tracked) {
					fns.emit(data);
					return;
				}
				const done = deferred<IRun>();
				fns.emit(data, undefined, done);
				await done.promise;
			} catch (error) {
				fns.logger.error(
					`WeHub listener: could not start an execution: ${(error as Error).message}`,
				);
			}
		},
	};
}

async function executionItems(
	fns: ITriggerFunctions,
	delivery: Delivery,
): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = delivery.items.map((json) => ({ json: json as IDataObject }));
	const { upload } = delivery;
	if (upload && items.length > 0) {
		const binary = await fns.helpers.prepareBinaryData(
			upload.data,
			upload.fileName,
			upload.mimeType,
		);
		items[0] = { ...items[0], binary: { data: binary } };
	}
	return items;
}

/**
 * Points the action node's media URLs at the listener. A manual run only fills the setting when
 * none exists: its listener lives for one event and must not replace the production URL.
 */
async function recordMediaBaseUrl(
	context: CallbackContext,
	config: ListenerConfig,
	manual: boolean,
	publicUrl: string,
): Promise<void> {
	const base =
		publicUrl.trim().replace(/\/+$/, '') ||
		`http://${reachableHost(config.host)}:${config.port}/${config.path}`;
	const store = await context.store();
	const appid = context.settings.appid;
	if (manual && (await store.getSetting(appid, MEDIA_BASE_URL_SETTING))) return;
	await store.putSetting(appid, MEDIA_BASE_URL_SETTING, `${base}/media`);
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

function deferred<T>(): IDeferredPromise<T> {
	let resolve!: IDeferredPromise<T>['resolve'];
	let reject!: IDeferredPromise<T>['reject'];
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
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
