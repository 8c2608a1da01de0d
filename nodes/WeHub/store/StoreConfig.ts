import type { StoreLimits } from './TaskStore';

export interface EmbeddedStoreConfig {
	backend: 'embedded';
	/** A folder; defaults to `<n8n user folder>/.n8n/wehub-store`. */
	path?: string;
	limits?: Partial<StoreLimits>;
}

export interface RedisStoreConfig {
	backend: 'redis';
	host: string;
	port: number;
	username?: string;
	password?: string;
	database?: number;
	tls?: boolean;
	/** Prepended to every key, then the appid; defaults to `wehub:`. */
	keyPrefix?: string;
	limits?: Partial<StoreLimits>;
}

export type StoreConfig = EmbeddedStoreConfig | RedisStoreConfig;
