import { homedir } from 'os';
import { join } from 'path';
import { EmbeddedTaskStore } from './EmbeddedTaskStore';
import { RedisTaskStore } from './RedisTaskStore';
import type { StoreConfig } from './StoreConfig';
import type { TaskStore } from './TaskStore';

export type { StoreConfig, EmbeddedStoreConfig, RedisStoreConfig } from './StoreConfig';

/** Stores opened by this process, by config; nodes call openTaskStore on every request. */
const openStores = new Map<string, Promise<TaskStore>>();

/** `<n8n user folder>/.n8n/wehub-store`, the user folder resolved as n8n does. */
export function defaultEmbeddedStorePath(): string {
	return join(process.env.N8N_USER_FOLDER || homedir(), '.n8n', 'wehub-store');
}

/** The key under which equal configs share one store (limits included: they shape hand-outs). */
function configKey(config: StoreConfig): string {
	if (config.backend === 'embedded') {
		return JSON.stringify([
			'embedded',
			config.path ?? defaultEmbeddedStorePath(),
			config.limits ?? {},
		]);
	}
	const { host, port, username, password, database, tls, keyPrefix, limits } = config;
	return JSON.stringify([
		'redis',
		host,
		port,
		username ?? '',
		password ?? '',
		database ?? 0,
		tls ?? false,
		keyPrefix ?? 'wehub:',
		limits ?? {},
	]);
}

/** The process-wide store for a config: opened on the first call, shared afterwards. */
export function openTaskStore(config: StoreConfig): Promise<TaskStore> {
	const key = configKey(config);
	let store = openStores.get(key);
	if (!store) {
		store = Promise.resolve().then(() =>
			config.backend === 'embedded'
				? new EmbeddedTaskStore({
						path: config.path ?? defaultEmbeddedStorePath(),
						limits: config.limits,
					})
				: new RedisTaskStore(config),
		);
		// A failed open (e.g. an unwritable folder) is retried by the next call.
		store.catch(() => openStores.delete(key));
		openStores.set(key, store);
	}
	return store;
}

/** Closes every store this process opened (tests, shutdown). */
export async function closeAllTaskStores(): Promise<void> {
	const stores = [...openStores.values()];
	openStores.clear();
	await Promise.all(stores.map((store) => store.then((s) => s.close()).catch(() => undefined)));
}
