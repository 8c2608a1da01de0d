import {
	type QueueCluster,
	type QueueClusterOptions,
	clusterPorts,
	findPostgresBin,
	startQueueCluster,
} from '../../../scripts/queue';
import { forgetGroup, registerGroup } from './processRegistry';

export type { QueueCluster } from '../../../scripts/queue';

/**
 * n8n in queue mode for a test file (scripts/queue): PostgreSQL, Redis, main, `webhookProcesses`
 * webhook processes (behind a round-robin balancer when more than one) and a worker, on free
 * loopback ports. Every process group is recorded, so globalTeardown stops what a crashed test
 * leaves behind. Fails at once, saying what to install, when Debian's PostgreSQL is missing.
 */
export async function startQueueModeN8n(
	options: Omit<QueueClusterOptions, 'ports' | 'hooks'> & { webhookProcesses?: number },
): Promise<QueueCluster> {
	findPostgresBin(); // throws "install Debian's postgresql package" before anything starts
	const webhookProcesses = options.webhookProcesses ?? 1;
	return await startQueueCluster({
		...options,
		webhookProcesses,
		ports: await clusterPorts(webhookProcesses),
		hooks: { spawned: registerGroup, exited: forgetGroup },
		log: options.log ?? ((message) => console.log(`[e2e queue] ${message}`)),
	});
}
