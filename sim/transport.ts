/**
 * HTTP as WeHub speaks it: POST over keep-alive connections (WeHub reuses its sockets), a
 * 30 s answer timeout, and the headers its Qt client sends. The keep-alive agents are made on
 * first use and dropped by close(), so a client on the WebSocket holds none (its rare uploads go
 * `oneShot`, on a connection of their own).
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

export interface PostOptions {
	/** One connection for this request alone, closed after it, instead of the keep-alive pool. */
	oneShot?: boolean;
}

export class HttpTransport {
	private httpAgent?: http.Agent;
	private httpsAgent?: https.Agent;
	private readonly maxSockets: number;
	private readonly timeoutMs: number;
	private inFlight = 0;
	private closeWhenIdle = false;

	constructor(options: TransportOptions = {}) {
		this.maxSockets = options.maxSockets ?? 4;
		this.timeoutMs = options.timeoutMs ?? 30_000;
	}

	/** POSTs a JSON body; `contentType` null sends no Content-Type header at all. */
	async postJson(url: string, payload: unknown, contentType: string | null): Promise<HttpAnswer> {
		const body = Buffer.from(JSON.stringify(payload), 'utf8');
		const headers: http.OutgoingHttpHeaders = {};
		if (contentType !== null) headers['Content-Type'] = contentType;
		return await this.post(url, body, headers);
	}

	async post(
		url: string,
		body: Buffer,
		headers: http.OutgoingHttpHeaders,
		options: PostOptions = {},
	): Promise<HttpAnswer> {
		const target = new URL(url);
		const secure = target.protocol === 'https:';
		const client = secure ? https : http;
		const agent = options.oneShot ? false : this.agent(secure);
		const started = performance.now();
		this.inFlight++;
		try {
			return await this.send(client, target, agent, body, headers, started);
		} finally {
			this.inFlight--;
			if (this.closeWhenIdle && this.inFlight === 0) this.close();
		}
	}

	/** Closes the kept-alive connections at once; a later request opens new ones. */
	close(): void {
		this.closeWhenIdle = false;
		this.httpAgent?.destroy();
		this.httpsAgent?.destroy();
		this.httpAgent = undefined;
		this.httpsAgent = undefined;
	}

	/** Like close(), but lets requests in flight finish first. */
	closeIdle(): void {
		if (this.inFlight === 0) this.close();
		else this.closeWhenIdle = true;
	}

	private agent(secure: boolean): http.Agent {
		const agentOptions = { keepAlive: true, maxSockets: this.maxSockets };
		if (secure) return (this.httpsAgent ??= new https.Agent(agentOptions));
		return (this.httpAgent ??= new http.Agent(agentOptions));
	}

	private async send(
		client: typeof http | typeof https,
		target: URL,
		agent: http.Agent | false,
		body: Buffer,
		headers: http.OutgoingHttpHeaders,
		started: number,
	): Promise<HttpAnswer> {
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
}
