import type { EventEmitter } from 'events';
import { FINISHED_STATES, type TaskRecord } from './TaskStore';

/**
 * Resolves with the record once finished: at once when this process finishes it, otherwise by
 * re-reading every pollMs (another process may finish it). Shared by both backends.
 */
export async function waitUntilFinished(
	read: () => Promise<TaskRecord | null>,
	finished: EventEmitter,
	taskId: string,
	timeoutMs: number,
	pollMs: number,
): Promise<TaskRecord | null> {
	const deadline = Date.now() + timeoutMs;
	let wake: () => void = () => undefined;
	const onFinished = () => wake();
	finished.on(taskId, onFinished);
	try {
		for (;;) {
			const record = await read();
			if (!record || FINISHED_STATES.includes(record.state)) return record;
			const left = deadline - Date.now();
			if (left <= 0) return record;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, Math.min(pollMs, left));
				wake = () => {
					clearTimeout(timer);
					resolve();
				};
			});
		}
	} finally {
		finished.off(taskId, onFinished);
	}
}
