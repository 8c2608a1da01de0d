import { openFromArgs } from './openFromArgs';

/**
 * Enqueues `count` tasks for one bot, `parallel` at a time, printing each task id as soon as its
 * enqueue has resolved. The durability test kills this process midway with SIGKILL.
 */
async function main() {
	const store = openFromArgs();
	const bot = JSON.parse(process.argv[3]) as { appid: string; wxid: string };
	const count = Number(process.argv[4]);
	const parallel = Number(process.argv[5]);
	let next = 0;
	await Promise.all(
		Array.from({ length: parallel }, async () => {
			while (next < count) {
				const n = next++;
				const queued = await store.enqueue(bot, {
					task_type: 1,
					task_dict: {
						wxid_to: '20783541032@chatroom',
						at_list: [],
						msg_list: [{ msg_type: 1, msg: `第 ${n} 条通知` }],
					},
				});
				process.stdout.write(`${queued.task_id}\n`);
			}
		}),
	);
	await store.close();
	process.exit(0);
}

void main();
