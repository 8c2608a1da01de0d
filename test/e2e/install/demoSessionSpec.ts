import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { WeHubSimulator } from '../../../sim/WeHubSimulator';
import type { N8nInstance } from '../harness';
import { filesFolder } from '../harness/runtime';
import {
	DEMO_APPID,
	DEMO_SECRET,
	demoImage,
	pollUntil,
	textsTo,
	TRIGGER,
	triggerItems,
	waitForTriggered,
} from '../fixtures/demoSession';

/** What the demo session needs from the file that installed the package. */
export interface InstalledDemo {
	n8n: N8nInstance;
	/** The id n8n gave the active WeHub Demo workflow. */
	workflowId: string;
}

/**
 * The WeHub Demo session (examples/wehub-demo.json) against an n8n that installed the published
 * package itself: a bot on the newest documented client logs in, gets its pong for a ping through
 * `pull_task` (the WeHub node queues it in the embedded lmdb store), uploads an image the demo saves
 * (multipart parsed with busboy), and has a friend request accepted and the new friend greeted.
 * Declares its `it`s in the caller's describe; `installed()` is read once its beforeAll ran.
 */
export function itPassesTheDemoSession(installed: () => InstalledDemo): void {
	let bot: WeHubSimulator;

	beforeAll(() => {
		const { n8n } = installed();
		bot = new WeHubSimulator({
			callbackUrl: n8n.webhookUrl('wehub'),
			appid: DEMO_APPID,
			wxid: 'wxid_installed_bot_0426',
			secretKey: DEMO_SECRET,
			clientVersion: '0.4.26',
			seed: 2604,
		});
	});

	afterAll(async () => {
		await bot?.close();
	});

	it('logs a WeHub 0.4.26 bot in with a signed ack and takes its contacts', async () => {
		const login = await bot.login();
		const contacts = await bot.reportContact({ friends: 3, groups: 1 });

		expect(login).toMatchObject({ ok: true, problems: [] });
		expect(login.ack?.data.signature).toMatch(/^[0-9a-fA-F]{32}$/);
		expect(contacts).toMatchObject({ ok: true, problems: [] });
	});

	it('answers a ping in a private chat with exactly one pong, handed out by pull_task', async () => {
		const friend = bot.contacts.friends[0].wxid;

		const ping = await bot.sendMessage('text', { text: 'ping', from: friend });
		await pollUntil(bot, () => textsTo(bot, friend).length > 0);
		for (let i = 0; i < 3; i++) await bot.pollOnce();

		expect(ping.replyTasks).toEqual([]);
		expect(textsTo(bot, friend)).toEqual(['pong']);
		const [pong] = bot.sentTexts().filter((sent) => sent.to === friend);
		expect(pong.task).toMatchObject({ source: 'pull_task', task_type: 1 });
	});

	it('answers a ping in a room with one pong in the room', async () => {
		const room = bot.contacts.groups[0].wxid;

		await bot.sendMessage('text', { text: 'ping', room });
		await pollUntil(bot, () => textsTo(bot, room).length > 0);

		expect(textsTo(bot, room)).toEqual(['pong']);
	});

	it('turns an uploaded image into binary data that the demo saves to disk', async () => {
		const { n8n, workflowId } = installed();
		const fileIndex = `C:\\WeHub\\image\\installed\\${bot.wxid}_upload.jpg`;
		const image = demoImage(7);
		await bot.sendMessage('image', { fileIndex });
		bot.registerMedia(fileIndex, image);

		const upload = await bot.uploadFile(fileIndex);
		const execution = await waitForTriggered(
			n8n,
			workflowId,
			(item) => item.event === 'file_uploaded' && item.file_index === fileIndex,
		);

		expect(upload).toEqual({ ok: true, reason: '' });
		expect(execution.status).toBe('success');
		expect(triggerItems(execution)[0]).toMatchObject({
			file_name: image.filename,
			mime_type: 'image/jpeg',
			size: image.bytes.length,
		});
		expect(execution.binaries?.[TRIGGER][0][0][0]?.data).toMatchObject({ mimeType: 'image/jpeg' });
		const folder = join(filesFolder(n8n.userFolder), 'wehub');
		const saved = readdirSync(folder).filter((name) => name.endsWith(`-${image.filename}`));
		expect(saved).toHaveLength(1);
		expect(readFileSync(join(folder, saved[0])).equals(image.bytes)).toBe(true);
	});

	it('accepts a friend request (task 13) and greets the new friend', async () => {
		const { request } = await bot.friendAddRequest({ nickname: '韩梅梅' });
		await pollUntil(bot, () => bot.tasks.some((task) => task.task_type === 13));
		const { friend } = await bot.newFriend({ user: request.user });
		await pollUntil(bot, () => textsTo(bot, friend.wxid).length > 0);

		expect(bot.tasks.filter((task) => task.task_type === 13)).toEqual([
			expect.objectContaining({
				source: 'pull_task',
				task_dict: { v1: request.v1, v2: request.v2 },
			}),
		]);
		expect(textsTo(bot, friend.wxid)).toEqual([
			`${friend.nickname}，你好！我是 n8n 驱动的机器人，发送 ping 试试。Hi! Send "ping" to try me.`,
		]);
	});

	it('acked every action as a strict WeHub client expects, each task handed out once', () => {
		expect(bot.violations).toEqual([]);
		expect(bot.stats.duplicateTaskIds).toBe(0);
	});
}
