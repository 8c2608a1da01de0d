/**
 * A running n8n's own view of its memory, through the V8 inspector it was started with
 * (`--inspect=127.0.0.1:<port>`): a full garbage collection on demand, then
 * `process.memoryUsage()`. RSS read from outside moves with every collection; what is left after
 * a forced one is what n8n keeps.
 */
import WebSocket from 'ws';

export interface HeapFigures {
	heap_used_mb: number;
	external_mb: number;
	array_buffers_mb: number;
	rss_mb: number;
}

export class N8nInspector {
	private nextId = 1;
	private readonly waiting = new Map<number, (result: unknown) => void>();

	private constructor(private readonly socket: WebSocket) {
		socket.on('message', (data) => {
			const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
			if (message.id !== undefined) this.waiting.get(message.id)?.(message.result);
			if (message.id !== undefined) this.waiting.delete(message.id);
		});
	}

	static async connect(port: number): Promise<N8nInspector> {
		const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
			webSocketDebuggerUrl: string;
		}>;
		const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
		await new Promise<void>((resolve, reject) => {
			socket.once('open', () => resolve());
			socket.once('error', reject);
		});
		return new N8nInspector(socket);
	}

	/** Two full collections (the second frees what the first's finalizers released), then memory. */
	async collectedMemory(): Promise<HeapFigures> {
		await this.call('HeapProfiler.collectGarbage');
		await this.call('HeapProfiler.collectGarbage');
		const answer = (await this.call('Runtime.evaluate', {
			expression: 'JSON.stringify(process.memoryUsage())',
		})) as { result: { value: string } };
		const usage = JSON.parse(answer.result.value) as NodeJS.MemoryUsage;
		const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
		return {
			heap_used_mb: mb(usage.heapUsed),
			external_mb: mb(usage.external),
			array_buffers_mb: mb(usage.arrayBuffers),
			rss_mb: mb(usage.rss),
		};
	}

	close(): void {
		this.socket.close();
	}

	private async call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
		const id = this.nextId++;
		return await new Promise((resolve) => {
			this.waiting.set(id, resolve);
			this.socket.send(JSON.stringify({ id, method, params }));
		});
	}
}
