import { randomBytes } from 'crypto';

/**
 * Task ids sort by creation: 9 base-36 characters of milliseconds, 4 of a per-process counter
 * (monotonic within a millisecond, and across a clock that steps back), then 16 hex characters
 * of randomness so an id cannot be guessed from its neighbours.
 */
let lastMs = 0;
let counter = 0;

/** Randomness is drawn 4 KiB at a time: one call into the crypto library per 512 ids, not per id. */
const RANDOM_POOL_BYTES = 4_096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function randomHex(bytes: number): string {
	if (randomOffset + bytes > randomPool.length) {
		randomPool = randomBytes(RANDOM_POOL_BYTES);
		randomOffset = 0;
	}
	randomOffset += bytes;
	return randomPool.toString('hex', randomOffset - bytes, randomOffset);
}

export function newTaskId(clock: number = Date.now()): string {
	if (clock > lastMs) {
		lastMs = clock;
		counter = 0;
	} else {
		counter++;
		if (counter >= 36 ** 4) {
			lastMs++;
			counter = 0;
		}
	}
	return (
		lastMs.toString(36).padStart(9, '0') + counter.toString(36).padStart(4, '0') + randomHex(8)
	);
}
