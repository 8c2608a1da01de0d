// n8n queue mode on one machine (npm run start:queue, test/e2e/queue): see cluster.js.
'use strict';
module.exports = {
	...require('./managedProcess'),
	...require('./postgres'),
	...require('./redis'),
	...require('./balancer'),
	...require('./cluster'),
	...require('./ports'),
};
