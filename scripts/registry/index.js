// A local npm registry with this package published to it, and the proxy that lets n8n's own
// installer reach it (test/e2e/install).
'use strict';

// The types the modules define, for the TypeScript e2e tests.
/** @typedef {import('./verdaccio').LocalRegistry} LocalRegistry */
/** @typedef {import('./publish').PackedPackage} PackedPackage */
/** @typedef {import('./interceptor').RegistryInterceptor} RegistryInterceptor */

module.exports = {
	...require('./verdaccio'),
	...require('./publish'),
	...require('./interceptor'),
};
