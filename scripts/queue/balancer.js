// A minimal round-robin HTTP load balancer on loopback: what would sit in front of several
// `n8n webhook` processes. Each request goes to the next upstream in turn, so consecutive polls
// of one WeHub client alternate between processes.
'use strict';
const http = require('http');

/**
 * @typedef {object} Balancer
 * @property {string} url
 * @property {number} port
 * @property {() => number[]} counts Requests sent to each upstream, in the order given.
 * @property {() => Promise<void>} close
 */

/**
 * @param {object} options
 * @param {number} options.port
 * @param {string[]} options.upstreams Base URLs, e.g. "http://localhost:5679".
 * @returns {Promise<Balancer>}
 */
function startBalancer({ port, upstreams }) {
	const agent = new http.Agent({ keepAlive: true });
	const counts = upstreams.map(() => 0);
	let next = 0;
	const server = http.createServer((req, res) => {
		const index = next;
		next = (next + 1) % upstreams.length;
		counts[index]++;
		// A server's request always has its url (only a client's response has none).
		const target = new URL(/** @type {string} */ (req.url), upstreams[index]);
		const upstream = http.request(
			target,
			{ method: req.method, headers: { ...req.headers, host: target.host }, agent },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', (error) => {
			if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
			res.end(`upstream ${upstreams[index]} failed: ${error.message}`);
		});
		req.pipe(upstream);
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			resolve({
				url: `http://localhost:${port}`,
				port,
				counts: () => [...counts],
				close: () =>
					new Promise((done) => {
						agent.destroy();
						server.closeAllConnections?.();
						server.close(() => done());
					}),
			});
		});
	});
}

module.exports = { startBalancer };
