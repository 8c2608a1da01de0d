/**
 * A child of `npm run bench:inbox`: the trigger's own listener alone (the real WeHubListener ->
 * handleCallback -> embedded store path, no n8n), with Durable Delivery on or off, on its own
 * store in a temporary folder. Its "workflow" is a subscriber whose execution ends at once, so
 * what is measured is the listener's own work per message callback, the inbox's writes included:
 * the figure n8n's execution cost hides in the in-n8n ratio.
 *
 * Usage: bench/inboxListenerServer.ts <port> <with_inbox|without_inbox>; prints "ready" once
 * listening, stops on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { LISTENER_DEFAULTS } from '../nodes/WeHub/defaults';
import {
	DEFAULT_LISTENER_CONFIG,
	type ListenerConfig,
} from '../nodes/WeHub/listener/ListenerConfig';
import { WeHubListener } from '../nodes/WeHub/listener/WeHubListener';
import type { Subscriber } from '../nodes/WeHub/listener/Subscriber';
import type { WeHubSettings } from '../nodes/WeHub/shared/settings';
import { closeAllTaskStores, openTaskStore } from '../nodes/WeHub/store/openTaskStore';
import type { CallbackContext } from '../nodes/WeHub/trigger/handleCallback';
import { DEFAULT_TRIGGER_OPTIONS } from '../nodes/WeHub/trigger/options';
import { E2E_APPID } from '../test/e2e/fixtures/weHubWorkflows';

async function main(): Promise<void> {
	const [port, side] = process.argv.slice(2);
	const folder = mkdtempSync(join(tmpdir(), 'wehub-bench-inbox-'));
	const settings: WeHubSettings = {
		appid: E2E_APPID,
		allowedBots: null,
		store: { backend: 'embedded', path: join(folder, 'store') },
	};
	const config: ListenerConfig = {
		...DEFAULT_LISTENER_CONFIG,
		host: '127.0.0.1',
		port: Number(port),
		path: 'wehub-inbox-bench',
		maxConcurrentRequests: 1_000,
		...(side === 'with_inbox' && {
			inbox: {
				owner: 'benchInbox/WeHub Trigger',
				leaseMs: LISTENER_DEFAULTS.inboxLeaseMs,
				maxEntries: LISTENER_DEFAULTS.maxUndeliveredEvents,
				maxAgeMs: LISTENER_DEFAULTS.undeliveredMaxAgeHours * 3_600_000,
			},
		}),
	};
	const context: CallbackContext = {
		settings,
		store: async () => await openTaskStore(settings.store),
		options: { ...DEFAULT_TRIGGER_OPTIONS, events: ['message'] },
	};
	// An execution that ends on the next turn: its end is what lets the inbox forget the event.
	const subscriber: Subscriber = {
		kind: 'production',
		events: ['message'],
		deliver: async () => await new Promise<boolean>((resolve) => setImmediate(() => resolve(true))),
	};
	const listener = new WeHubListener(config, context);
	listener.setProduction(subscriber, context, config);
	await listener.listen();
	console.log('ready');
	process.once('SIGTERM', () => {
		void (async () => {
			await listener.close();
			await closeAllTaskStores();
			rmSync(folder, { recursive: true, force: true });
			process.exit(0);
		})();
	});
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
