import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

/**
 * What every answer to WeHub must be, whatever the input: checks the fuzz suites share.
 */

export function elapsedMs(run: () => void): number {
	const start = process.hrtime.bigint();
	run();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function elapsedMsAsync(run: () => Promise<void>): Promise<number> {
	const start = process.hrtime.bigint();
	await run();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

/** No single input may take longer (generous: 2 busy cores shared with other suites). */
export const MAX_INPUT_MS = 2_000;

/** Codes an answer may carry: 0, or the HTTP-like status of what went wrong. */
export const ERROR_CODES = [0, 400, 403, 404, 413, 415, 500, 503];

/**
 * A WeHub ack: error_code number, error_reason string, ack_type string, data object. `httpStatus`,
 * for an answer read over HTTP, must be 200 whatever went wrong: WeHub shows error_reason only from
 * answers it reads, so error_code carries the failure.
 */
export function expectWellFormedAck(ack: unknown, httpStatus?: number): void {
	expect(ack).toEqual(
		expect.objectContaining({
			error_code: expect.any(Number),
			error_reason: expect.any(String),
			ack_type: expect.any(String),
			data: expect.any(Object),
		}),
	);
	const {
		error_code: code,
		error_reason: reason,
		ack_type: ackType,
		data,
	} = ack as Record<string, unknown>;
	expect(Array.isArray(data)).toBe(false);
	expect(ackType).toMatch(/_ack$/);
	expect(ERROR_CODES).toContain(code);
	if (code !== 0) expect(reason).not.toBe('');
	if (httpStatus !== undefined) expect(httpStatus).toBe(200);
}

/** The error_code of an ack. */
export function errorCodeOf(ack: unknown): number {
	return (ack as { error_code: number }).error_code;
}

/** A snapshot of Object.prototype's own keys and a few globals a polluted body would change. */
export function prototypeSnapshot(): string {
	const probes = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
	return probes.map((proto) => Object.getOwnPropertyNames(proto).sort().join(',')).join('|');
}

export function expectNoPollution(before: string): void {
	const probe: Record<string, unknown> = {};
	expect(probe.polluted).toBeUndefined();
	expect(probe.isAdmin).toBeUndefined();
	expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
	expect(prototypeSnapshot()).toBe(before);
}

/**
 * V8's full GC, reachable without starting node with --expose-gc (jest workers are not): the flag
 * can be set at run time, and a new context then gets `gc`.
 */
function fullGc(): () => void {
	setFlagsFromString('--expose-gc');
	return runInNewContext('gc') as () => void;
}
const gc = fullGc();

/** Heap in MB after a full GC: what is still retained, not what the collector has yet to free. */
export function heapUsedMb(): number {
	gc();
	return process.memoryUsage().heapUsed / 1024 / 1024;
}
