'use strict';

/** @import { CredentialJson } from './cli' */

/** The id examples/*.json refer to for their WeHub API credential. */
const DEMO_CREDENTIAL_ID = 'wehubDemoCredential';

/**
 * The "WeHub Demo" credential as npm start, npm run start:queue and the e2e tests import it: on the
 * embedded store (in the n8n user folder), or on `redis` when given.
 */
/**
 * @param {object} [options]
 * @param {string} [options.appId]
 * @param {string} [options.secretKey]
 * @param {{ host: string, port: number }} [options.redis] The Redis to keep the tasks in.
 * @returns {CredentialJson}
 */
function demoCredential({ appId = 'demo-appid', secretKey = 'demo-secret', redis } = {}) {
	const store = redis
		? {
				storeBackend: 'redis',
				redisHost: redis.host,
				redisPort: redis.port,
				// n8n's Bull queue may use this Redis too, under its own `bull:` keys.
				redisKeyPrefix: 'wehub:',
			}
		: { storeBackend: 'embedded' };
	return {
		id: DEMO_CREDENTIAL_ID,
		name: 'WeHub Demo',
		type: 'weHubApi',
		data: { appId, secretKey, ...store },
	};
}

module.exports = { DEMO_CREDENTIAL_ID, demoCredential };
