// The local n8n runtime: install once, prepare a user folder, run n8n, read its executions.
'use strict';

// The types the modules define, for the TypeScript e2e harness (test/e2e/harness/runtime.ts).
/** @typedef {import('./paths').RuntimePaths} RuntimePaths */
/** @typedef {import('./cli').CommandOptions} CommandOptions */
/** @typedef {import('./cli').WorkflowJson} WorkflowJson */
/** @typedef {import('./cli').WorkflowNodeJson} WorkflowNodeJson */
/** @typedef {import('./cli').CredentialJson} CredentialJson */
/** @typedef {import('./executions').StoredExecution} StoredExecution */
/** @typedef {import('./executions').BinaryMetadata} BinaryMetadata */

module.exports = {
	...require('./paths'),
	...require('./install'),
	...require('./env'),
	...require('./cli'),
	...require('./userFolder'),
	...require('./prepare'),
	...require('./executions'),
	...require('./filesFolder'),
	...require('./webhookLive'),
	...require('./listenerLive'),
	...require('./demoCredential'),
	...require('./owner'),
};
