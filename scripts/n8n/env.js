// The environment a local n8n runs with: its own user folder and port, no telemetry, no calls
// home, no interactive set-up (n8n needs no owner for webhooks to work).
'use strict';
const { filesFolder } = require('./filesFolder');

/**
 * @param {object} options
 * @param {string} options.userFolder
 * @param {number} options.port
 * @param {string} [options.host] The listen address (default 127.0.0.1, named localhost in URLs).
 * @param {Record<string, string>} [options.extra] Added last: wins over the defaults.
 * @returns {Record<string, string>}
 */
function n8nEnv({ userFolder, port, host = '127.0.0.1', extra = {} }) {
	const base = `http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`;
	return {
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: host,
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `${base}/`,
		N8N_EDITOR_BASE_URL: `${base}/`,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		// Community packages are loaded from the user folder; no npm calls from inside n8n.
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		DB_TYPE: 'sqlite',
		// Read/Write Files from Disk: the folder the imported examples were pointed at.
		N8N_RESTRICT_FILE_ACCESS_TO: filesFolder(userFolder),
		...extra,
	};
}

module.exports = { n8nEnv };
