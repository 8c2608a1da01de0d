import type { WeHubSettings } from './settings';

/**
 * n8n's queue mode spreads one workflow over several processes: webhook processes answer WeHub,
 * workers run the action node. With the embedded store each host has its own database file, so
 * tasks queued on a worker's host never reach the webhook process on another host. On one host
 * the processes share the folder and it works, which is why this only warns, and refuses only
 * what cannot work: queuing for a bot this store has never seen polling.
 */
export function isQueueMode(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.EXECUTIONS_MODE === 'queue';
}

/** The warning to show when the credential's store cannot be shared across hosts, else undefined. */
export function embeddedStoreQueueWarning(
	settings: WeHubSettings,
	env: NodeJS.ProcessEnv = process.env,
): string | undefined {
	if (!isQueueMode(env) || settings.store.backend !== 'embedded') return undefined;
	return (
		`n8n runs in queue mode but the WeHub API credential of appid ${settings.appid} uses the ` +
		'embedded task store: it only works while main, webhook and worker processes share one ' +
		'host and its n8n user folder. On several hosts the task queue silently splits; switch the ' +
		'credential to the Redis store.'
	);
}

/** Why the action node refuses to queue: WeHub could never pick the task up from this store. */
export function neverPolledMessage(wxid: string): string {
	return (
		`Bot ${wxid} has never polled this store; in queue mode with several hosts, switch the ` +
		'WeHub API credential to the Redis store'
	);
}
