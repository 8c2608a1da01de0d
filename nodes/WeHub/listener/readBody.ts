import type { IncomingMessage } from 'node:http';

export type BodyResult =
	{ ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'aborted' };

/**
 * Reads a request body up to `maxBytes`. Past the limit it stops keeping bytes but lets the rest
 * drain, so the client reads our 413 ack instead of a connection reset.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
	const declared = Number(req.headers['content-length']);
	if (Number.isFinite(declared) && declared > maxBytes) {
		req.resume();
		return { ok: false, reason: 'too_large' };
	}
	return await new Promise<BodyResult>((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (chunk: Buffer) => {
			if (tooLarge) return;
			size += chunk.length;
			if (size > maxBytes) {
				tooLarge = true;
				chunks.length = 0;
				resolve({ ok: false, reason: 'too_large' });
			} else {
				chunks.push(chunk);
			}
		});
		req.on('end', () => {
			if (!tooLarge) resolve({ ok: true, body: Buffer.concat(chunks, size) });
		});
		req.on('error', () => resolve({ ok: false, reason: 'aborted' }));
		req.on('close', () => {
			if (!req.complete) resolve({ ok: false, reason: 'aborted' });
		});
	});
}
