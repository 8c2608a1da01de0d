// The local n8n runtime: install once, prepare a user folder, run n8n, read its executions.
'use strict';
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
	...require('./demoCredential'),
};
