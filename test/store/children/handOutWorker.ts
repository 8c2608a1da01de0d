import { once } from 'events';
import { openFromArgs } from './openFromArgs';

/**
 * Hands out tasks of one bot with `parallel` concurrent callers until the queue is empty, printing
 * one task id per line. Prints "ready" first and starts on the line "go" from stdin, so that
 * several workers start together.
 */
async function main() {
	const store = openFromArgs();
	const bot = JSON.parse(process.argv[3]) as { appid: string; wxid: string };
	const parallel = Number(process.argv[4]);
	process.stdout.write('ready\n');
	await once(process.stdin, 'data');
	const handed: string[] = [];
	await Promise.all(
		Array.from({ length: parallel }, async () => {
			for (;;) {
				const task = await store.handOut(bot);
				if (!task) return;
				handed.push(task.task_id);
			}
		}),
	);
	process.stdout.write(handed.map((id) => `${id}\n`).join(''));
	await store.close();
	process.exit(0);
}

void main();
