// The owner account of a local n8n: created on a fresh instance (so the editor opens on the
// workflows instead of the owner set-up form), its generated password remembered in the user folder
// so the next start prints the same credentials, and a logged-in session cookie for REST calls.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

/** The name of n8n's session cookie (`AUTH_COOKIE_NAME` in n8n's constants). */
const AUTH_COOKIE = 'n8n-auth';
const DEFAULT_EMAIL = 'owner@wehub.local';
/** While its database migrates, n8n answers every request with a 200 and this text. */
const STARTING_UP = 'n8n is starting up';

/**
 * @typedef {object} Owner
 * @property {string} email
 * @property {string} password
 * @property {string} cookie `n8n-auth=<token>`, ready for a Cookie header.
 * @property {boolean} created Whether this call set the owner up (false: it logged in).
 */

/**
 * @typedef {object} OwnerOptions
 * @property {string} [userFolder] The n8n user folder (N8N_USER_FOLDER): the e-mail and password
 *   are read from and remembered in `<userFolder>/wehub-owner.json`. Without it nothing is
 *   remembered.
 * @property {string} [email] Default: the remembered one, else owner@wehub.local.
 * @property {string} [password] Default: the remembered one, else a generated one.
 * @property {string} [firstName]
 * @property {string} [lastName]
 * @property {number} [timeoutMs] How long to wait for n8n's REST API to answer (default 60 s).
 */

/**
 * @param {string} userFolder
 */
function ownerFile(userFolder) {
	return path.join(userFolder, 'wehub-owner.json');
}

/**
 * @param {string | undefined} userFolder
 * @returns {{ email?: string, password?: string }}
 */
function rememberedOwner(userFolder) {
	if (!userFolder) return {};
	try {
		const saved = JSON.parse(fs.readFileSync(ownerFile(userFolder), 'utf8'));
		return { email: saved.email, password: saved.password };
	} catch {
		return {};
	}
}

/**
 * @param {string} userFolder
 * @param {{ email: string, password: string }} owner
 */
function rememberOwner(userFolder, { email, password }) {
	fs.mkdirSync(userFolder, { recursive: true });
	fs.writeFileSync(ownerFile(userFolder), `${JSON.stringify({ email, password }, null, '\t')}\n`, {
		mode: 0o600,
	});
}

/**
 * A password n8n accepts (8 to 64 characters, at least one digit and one capital letter), without
 * characters that are awkward to copy from a terminal.
 * @returns {string}
 */
function generatePassword() {
	const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
	for (;;) {
		const bytes = crypto.randomBytes(20);
		const password = Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
		if (/\d/.test(password) && /[A-Z]/.test(password) && /[a-z]/.test(password)) return password;
	}
}

/**
 * @param {Response} response
 * @returns {string | undefined} `n8n-auth=<token>`
 */
function authCookie(response) {
	const cookie = response.headers
		.getSetCookie()
		.map((header) => header.split(';')[0])
		.find((pair) => pair.startsWith(`${AUTH_COOKIE}=`));
	return cookie;
}

/**
 * @param {string} baseUrl
 * @param {string} route e.g. "/rest/login"
 * @param {unknown} body
 * @returns {Promise<{ response: Response, text: string }>}
 */
async function postJson(baseUrl, route, body) {
	const response = await fetch(`${baseUrl}${route}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(30_000),
	});
	return { response, text: await response.text() };
}

/**
 * Whether n8n still waits for its owner to be set up (`showSetupOnFirstLoad` of its settings);
 * waits while n8n is starting up.
 * @param {string} baseUrl
 * @param {number} timeoutMs
 * @returns {Promise<boolean>}
 */
async function needsOwnerSetup(baseUrl, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	for (;;) {
		try {
			const response = await fetch(`${baseUrl}/rest/settings`, {
				signal: AbortSignal.timeout(5000),
			});
			const text = await response.text();
			if (response.ok && !text.startsWith(STARTING_UP)) {
				const settings = JSON.parse(text).data;
				return Boolean(settings?.userManagement?.showSetupOnFirstLoad);
			}
			last = `${response.status} ${text.slice(0, 200)}`;
		} catch (error) {
			last = error instanceof Error ? error.message : String(error);
		}
		if (Date.now() > deadline) {
			throw new Error(`n8n at ${baseUrl} did not answer GET /rest/settings: ${last}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/**
 * Makes sure n8n at `baseUrl` has an owner account and logs in as it.
 * - Fresh instance: sets the owner up (`POST /rest/owner/setup` with email, firstName, lastName,
 *   password), with the remembered or given password, else a generated one (remembered first).
 * - Owner already there: logs in (`POST /rest/login`) with the remembered or given password; fails
 *   with the way out when that password is not the owner's.
 * @param {string} baseUrl e.g. "http://localhost:5678"
 * @param {OwnerOptions} [options]
 * @returns {Promise<Owner>}
 */
async function ensureOwner(baseUrl, options = {}) {
	const { userFolder, firstName = 'WeHub', lastName = 'Owner', timeoutMs = 60_000 } = options;
	const remembered = rememberedOwner(userFolder);
	const email = options.email ?? remembered.email ?? DEFAULT_EMAIL;
	let password = options.password ?? remembered.password;

	if (await needsOwnerSetup(baseUrl, timeoutMs)) {
		password ??= generatePassword();
		// Remembered before the set-up: a set-up whose answer got lost is retried with this password.
		if (userFolder) rememberOwner(userFolder, { email, password });
		const setup = await postJson(baseUrl, '/rest/owner/setup', {
			email,
			firstName,
			lastName,
			password,
		});
		if (!setup.response.ok) {
			throw new Error(
				`n8n refused the owner set-up (${setup.response.status}): ${setup.text.slice(0, 500)}`,
			);
		}
		const cookie = authCookie(setup.response);
		if (!cookie) throw new Error('n8n set the owner up but sent no n8n-auth cookie');
		return { email, password, cookie, created: true };
	}

	const where =
		options.password !== undefined || !userFolder ? 'options.password' : ownerFile(userFolder);
	if (!password) {
		throw new Error(
			`n8n at ${baseUrl} already has an owner and no password is known for it (${where}). ` +
				'Log in with your own account, or reset the owner with `n8n user-management:reset`.',
		);
	}
	// n8n 2.x and 1.123 read `emailOrLdapLoginId`, older 1.x `email`; each ignores the other field.
	const login = await postJson(baseUrl, '/rest/login', {
		emailOrLdapLoginId: email,
		email,
		password,
	});
	if (!login.response.ok) {
		throw new Error(
			`n8n at ${baseUrl} refused the login of ${email} with the password from ${where} ` +
				`(${login.response.status}): was the password changed in the editor? ` +
				'Reset the owner with `n8n user-management:reset`.',
		);
	}
	const cookie = authCookie(login.response);
	if (!cookie) throw new Error('n8n accepted the login but sent no n8n-auth cookie');
	if (userFolder && (remembered.email !== email || remembered.password !== password)) {
		rememberOwner(userFolder, { email, password });
	}
	return { email, password, cookie, created: false };
}

module.exports = { ensureOwner, ownerFile, generatePassword };
