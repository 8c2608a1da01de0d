'use strict';

/** While its database migrates, n8n answers every request with a 200 and this text. */
const STARTING_UP = 'n8n is starting up';

/**
 * Whether n8n at `baseUrl` serves the production webhook `webhookPath` for `method`. Asks with a
 * CORS preflight, which n8n answers from its webhook registry without running the workflow:
 * Express's 404 while routes mount, n8n's 404/500 until the webhook is registered, then 204.
 * @param {string} baseUrl e.g. "http://localhost:5678"
 * @param {string} webhookPath
 * @param {string} [method]
 * @returns {Promise<boolean>}
 */
async function webhookLive(baseUrl, webhookPath, method = 'POST') {
	try {
		const response = await fetch(`${baseUrl}/webhook/${webhookPath}`, {
			method: 'OPTIONS',
			headers: { origin: 'http://localhost', 'access-control-request-method': method },
			signal: AbortSignal.timeout(5000),
		});
		const body = await response.text();
		return response.ok && !body.startsWith(STARTING_UP);
	} catch {
		return false; // not listening yet
	}
}

module.exports = { webhookLive };
