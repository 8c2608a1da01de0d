import type { CallbackContext } from '../trigger/handleCallback';
import { nodeOf, workflowOf } from '../trigger/triggerOwner';
import { addressOf, type ListenerConfig } from './ListenerConfig';
import { ListenerBindError } from './ListenerBindError';
import type { Subscriber } from './Subscriber';
import { WeHubListener, type ListenerLog } from './WeHubListener';

/** One workflow node asking for the listener at host:port. */
export interface Subscription {
	/** Workflow id + node name: module state is shared by every workflow using the node. */
	owner: string;
	config: ListenerConfig;
	context: CallbackContext;
	subscriber: Subscriber;
	log?: ListenerLog;
}

/** What a subscription holds; `close` is the trigger's closeFunction. */
export interface ListenerHandle {
	listener: WeHubListener;
	/** Whether this subscription opened the port (false: it joined a running listener). */
	bound: boolean;
	close(): Promise<void>;
}

interface Entry {
	owner: string;
	listener: WeHubListener;
}

/**
 * The listeners of this n8n process, by host:port. n8n runs `trigger()` again for "Execute
 * workflow" in the editor while the active workflow already listens on that port; binding again
 * would fail with EADDRINUSE, so a manual run of the same workflow node joins the running listener
 * as an extra subscriber. A port held by another workflow node is a clear error.
 */
const listeners = new Map<string, Entry>();
/** Listeners being closed: a new bind on their address waits until the port is free. */
const closing = new Map<string, Promise<void>>();

export async function subscribe(subscription: Subscription): Promise<ListenerHandle> {
	const { config, owner, subscriber, context } = subscription;
	const address = addressOf(config);
	await closing.get(address);
	const existing = listeners.get(address);
	if (existing) {
		if (existing.owner !== owner) {
			throw new ListenerBindError(
				address,
				'EADDRINUSE',
				`The WeHub listener cannot listen on ${address}: the WeHub Trigger "${nodeOf(existing.owner)}" of workflow ${workflowOf(existing.owner)} already listens there. Give each WeHub Trigger its own port.`,
			);
		}
		if (subscriber.kind === 'manual') existing.listener.addManual(subscriber);
		else existing.listener.setProduction(subscriber, context, config);
		return handleFor(address, existing, subscriber, false);
	}

	const listener = new WeHubListener(config, context, subscription.log);
	const entry: Entry = { owner, listener };
	// Registered before listening so a concurrent subscribe of the same node joins it.
	listeners.set(address, entry);
	// listen() rejects with a ListenerBindError; the registry entry must not outlive the failure.
	await listener.listen().catch((error: unknown) => {
		listeners.delete(address);
		return Promise.reject(error);
	});
	if (subscriber.kind === 'manual') listener.addManual(subscriber);
	else listener.setProduction(subscriber, context, config);
	return handleFor(address, entry, subscriber, true);
}

/** Listeners of this process (for tests and diagnostics). */
export function activeListenerAddresses(): string[] {
	return [...listeners.keys()];
}

function handleFor(
	address: string,
	entry: Entry,
	subscriber: Subscriber,
	bound: boolean,
): ListenerHandle {
	let closed = false;
	return {
		listener: entry.listener,
		bound,
		async close() {
			if (closed) return;
			closed = true;
			entry.listener.remove(subscriber);
			if (entry.listener.subscriberCount > 0 || listeners.get(address) !== entry) return;
			listeners.delete(address);
			const done = entry.listener.close().finally(() => closing.delete(address));
			closing.set(address, done);
			await done;
		},
	};
}
