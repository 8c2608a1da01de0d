// Lets an unlicensed n8n install from the local registry. n8n's installer (Settings → Community
// Nodes, and N8N_COMMUNITY_PACKAGES at start) always asks its default registry: pointing
// N8N_COMMUNITY_PACKAGES_REGISTRY anywhere else needs an enterprise licence
// (feat:communityNodesCustomRegistry). So, as a corporate network would, n8n and the npm it runs
// are given an HTTPS proxy on loopback (HTTPS_PROXY) and its certificate authority
// (NODE_EXTRA_CA_CERTS); the proxy answers for the registry's host with a certificate of that CA
// and hands every request to the local registry. Every other host is refused.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

/** @import { Socket } from 'net' */
/** @import { RuntimePaths } from '../n8n/paths' */

/**
 * @typedef {object} RegistryInterceptor
 * @property {string} proxyUrl e.g. "http://127.0.0.1:40123"
 * @property {string} host The registry host it answers for (from n8n's configuration).
 * @property {Record<string, string>} env For the n8n process (npm inherits it).
 * @property {() => string[]} requests "GET /path" of every request it handed to the local registry.
 * @property {() => string[]} refused The hosts it refused to connect to.
 * @property {() => Promise<void>} stop
 */

/**
 * The registry n8n's community-package installer uses, read from the installed n8n's own
 * configuration (its default, or N8N_COMMUNITY_PACKAGES_REGISTRY when set).
 * @param {RuntimePaths} paths
 * @returns {string}
 */
function n8nPackagesRegistry(paths) {
	const script = [
		"require('reflect-metadata');",
		"const { Container } = require('@n8n/di');",
		"const { CommunityPackagesConfig } = require('n8n/dist/modules/community-packages/community-packages.config.js');",
		'process.stdout.write(Container.get(CommunityPackagesConfig).registry);',
	].join('\n');
	const result = spawnSync(paths.nodeBin, ['-e', script], { cwd: paths.n8nRoot, encoding: 'utf8' });
	const url = result.stdout.trim();
	if (result.status !== 0 || !/^https:\/\//.test(url)) {
		throw new Error(`could not read n8n ${paths.version}'s packages registry: ${result.stderr}`);
	}
	return url;
}

/**
 * A certificate authority and, signed by it, a certificate for `host` (openssl, Debian's openssl
 * package).
 * @param {string} folder
 * @param {string} host
 */
function makeCertificates(folder, host) {
	const file = (/** @type {string} */ name) => path.join(folder, name);
	const openssl = (/** @type {string[]} */ args) =>
		execFileSync('openssl', args, { cwd: folder, stdio: 'pipe' });
	openssl([
		'req',
		'-x509',
		'-newkey',
		'rsa:2048',
		'-nodes',
		'-days',
		'2',
		'-subj',
		'/CN=WeHub install tests CA',
		'-keyout',
		'ca.key',
		'-out',
		'ca.pem',
	]);
	openssl([
		'req',
		'-newkey',
		'rsa:2048',
		'-nodes',
		'-subj',
		`/CN=${host}`,
		'-keyout',
		'host.key',
		'-out',
		'host.csr',
	]);
	fs.writeFileSync(file('host.ext'), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
	openssl([
		'x509',
		'-req',
		'-in',
		'host.csr',
		'-CA',
		'ca.pem',
		'-CAkey',
		'ca.key',
		'-CAcreateserial',
		'-days',
		'2',
		'-extfile',
		'host.ext',
		'-out',
		'host.pem',
	]);
	return {
		caFile: file('ca.pem'),
		key: fs.readFileSync(file('host.key')),
		cert: fs.readFileSync(file('host.pem')),
	};
}

/**
 * Starts the proxy on a loopback port.
 * @param {object} options
 * @param {string} options.registryUrl The registry to answer for, e.g. n8nPackagesRegistry(paths).
 * @param {string} options.target The local registry, e.g. "http://127.0.0.1:4873/".
 * @returns {Promise<RegistryInterceptor>}
 */
async function startRegistryInterceptor({ registryUrl, target }) {
	const { hostname: host, port } = new URL(registryUrl);
	const connectTarget = `${host}:${port || 443}`;
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'wehub-interceptor-'));
	const { caFile, key, cert } = makeCertificates(folder, host);
	/** @type {string[]} */
	const requests = [];
	/** @type {string[]} */
	const refused = [];
	/** @type {Set<Socket>} */
	const sockets = new Set();

	// The decrypted side: every request goes to the local registry, with the Host header kept so
	// that the tarball URLs it writes name the registry host again (and come back through here).
	const registry = https.createServer({ key, cert }, (req, res) => {
		requests.push(`${req.method} ${req.url}`);
		const forwarded = http.request(
			new URL(req.url ?? '/', target),
			{ method: req.method, headers: { ...req.headers, 'x-forwarded-proto': 'https' } },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		forwarded.on('error', (error) => {
			res.writeHead(502, { 'content-type': 'text/plain' });
			res.end(`local registry unreachable: ${error.message}`);
		});
		req.pipe(forwarded);
	});

	const proxy = http.createServer((req, res) => {
		refused.push(req.headers.host ?? String(req.url));
		res.writeHead(403, { 'content-type': 'text/plain' });
		res.end('only the package registry is reachable through this proxy');
	});
	proxy.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	proxy.on('connect', (req, socket, head) => {
		if (req.url !== connectTarget) {
			refused.push(String(req.url));
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head.length > 0) socket.unshift(head);
		registry.emit('connection', socket);
	});
	await new Promise((resolve, reject) => {
		proxy.once('error', reject);
		proxy.listen(0, '127.0.0.1', () => resolve(undefined));
	});
	const address = proxy.address();
	const proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
	const noProxy = 'localhost,127.0.0.1,::1';
	return {
		proxyUrl,
		host,
		env: {
			HTTPS_PROXY: proxyUrl,
			https_proxy: proxyUrl,
			NO_PROXY: noProxy,
			no_proxy: noProxy,
			// Node's TLS (n8n's own requests) and npm's (which reads `cafile` instead when set)
			NODE_EXTRA_CA_CERTS: caFile,
			npm_config_cafile: caFile,
		},
		requests: () => [...requests],
		refused: () => [...refused],
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => proxy.close(() => resolve(undefined)));
			registry.close();
			fs.rmSync(folder, { recursive: true, force: true });
		},
	};
}

module.exports = { n8nPackagesRegistry, startRegistryInterceptor };
