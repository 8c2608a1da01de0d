// n8n queue mode on one machine (npm run start:queue, test/e2e/queue): see cluster.js.
'use strict';

// The types the modules define, for the TypeScript e2e harness (test/e2e/harness/queueCluster.ts).
/** @typedef {import('./managedProcess').ManagedProcess} ManagedProcess */
/** @typedef {import('./managedProcess').ProcessHooks} ProcessHooks */
/** @typedef {import('./ports').ClusterPorts} ClusterPorts */
/** @typedef {import('./postgres').RunningPostgres} RunningPostgres */
/** @typedef {import('./redis').RunningRedis} RunningRedis */
/** @typedef {import('./balancer').Balancer} Balancer */
/** @typedef {import('./cluster').QueueClusterOptions} QueueClusterOptions */
/** @typedef {import('./cluster').QueueCluster} QueueCluster */

module.exports = {
	...require('./managedProcess'),
	...require('./postgres'),
	...require('./redis'),
	...require('./balancer'),
	...require('./cluster'),
	...require('./ports'),
};
