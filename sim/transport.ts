/**
 * HTTP as WeHub speaks it: POST over keep-alive connections (WeHub reuses its sockets), a
 * 30 s answer timeout, and the headers its Qt client sends.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
	status: number;
	body: string;
	latencyMs: number;
}

export interface TransportOptions {
	/** WeHub gives up on an answer after 30 s. */
	timeoutMs?: number;
	maxSockets?: number;
}

export class HttpTransport {
	private readonly httpAgent: http.Agent;
	private readonly httpsAgent: https.Agent;
	private readonly timeoutMs: number;

	constructor(options: TransportOptions = {}) {
		const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 4 };
		this.httpAgent = new http.Agent(agentOptions);
		this.httpsAgent = new https.Agent(agentOptions);
		this.timeoutMs = options.timeoutMs ?? 30_000;
	}

	/** POSTs a JSON body; `contentType` null sends no Content-Type header at all. */
	async postJson(url: string, payload: unknown, contentType: string | null): Promise<HttpAnswer> {
		const body = Buffer.from(JSON.stringify(payload), 'utf8');
		const headers: http.OutgoingHttpHeaders = {};
		if (contentType !== null) headers['Content-Type'] = contentType;
		return await this.post(url, body, headers);
	}

	async post(url: string, body: Buffer, headers: http.OutgoingHttpHeaders): Promise<HttpAnswer> {
		const target = new URL(url);
		const client = target.protocol === 'https:' ? https : http;
		const agent = target.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
		const started = performance.now();
		return await new Promise<HttpAnswer>((resolve, reject) => {
			const request = client.request(
				target,
				{
					method: 'POST',
					agent,
					headers: {
						'Content-Length': body.length,
						'Accept-Encoding': 'gzip, deflate',
						'Accept-Language': 'zh-CN,en,*',
						'User-Agent': 'Mozilla/5.0',
						...headers,
					},
				},
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('error', reject);
					response.on('end', () =>
						resolve({
							status: response.statusCode ?? 0,
							body: Buffer.concat(chunks).toString('utf8'),
							latencyMs: performance.now() - started,
						}),
					);
				},
			);
			request.setTimeout(this.timeoutMs, () => {
				request.destroy(new Error(`no answer within ${this.timeoutMs} ms`));
			});
			request.on('error', reject);
			request.end(body);
		});
	}

	close(): void {
		this.httpAgent.destroy();
		this.httpsAgent.destroy();
	}
}
