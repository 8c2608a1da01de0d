import { randomBytes } from 'crypto';

/**
 * Task ids sort by creation: 9 base-36 characters of milliseconds, 4 of a per-process counter
 * (monotonic within a millisecond, and across a clock that steps back), then 16 hex characters
 * of randomness so an id cannot be guessed from its neighbours.
 */
let lastMs = 0;
let counter = 0;

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
		lastMs.toString(36).padStart(9, '0') +
		counter.toString(36).padStart(4, '0') +
		randomBytes(8).toString('hex')
	);
}
