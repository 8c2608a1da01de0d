import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { WeHubSimulator } from '../../sim/WeHubSimulator';
import { startN8n, type N8nInstance } from './harness';
import { filesFolder } from './harness/runtime';
import {
	DEMO_APPID,
	DEMO_SECRET,
	demoCredential,
	demoImage,
	demoWorkflow,
	pollUntil,
	textsTo,
	TRIGGER,
	triggerItems,
	waitForTriggered,
} from './fixtures/demoSession';

/**
 * examples/wehub-demo.json in a real n8n, driven by the WeHub simulator as two bots: one on the
 * original client (0.1.5: `<action>_ack`, no nonce, task 1 with room_wxid/wxid) and one on the
 * newest documented client (0.4.26: signed login, common_ack, wxid_to). The demo gets one change:
 * its trigger also emits Task Result, which the demo itself does not route anywhere.
 */
const workflow = demoWorkflow({ addEvents: ['task_result'] });

describe('the WeHub Demo workflow in a real n8n', () => {
	let n8n: N8nInstance;
	const bots: Record<'0.1.5' | '0.4.26', WeHubSimulator> = {} as never;
	let markers = 0;

	const simulator = (clientVersion: '0.1.5' | '0.4.26') =>
		new WeHubSimulator({
			callbackUrl: n8n.webhookUrl('wehub'),
			appid: DEMO_APPID,
			wxid: `wxid_demo_bot_${clientVersion.replace(/\./g, '')}`,
			secretKey: DEMO_SECRET,
			clientVersion,
			seed: clientVersion === '0.1.5' ? 15 : 426,
		});

	/**
	 * A message from a friend of `bot` (logged in: an unknown bot gets 0.1.x acks) that starts an
	 * execution, finished when this resolves.
	 */
	const marker = async (bot: WeHubSimulator) => {
		const text = `marker ${++markers}`;
		await bot.sendMessage('text', { text });
		await waitForTriggered(n8n, workflow.id, (item) => item.text === text);
	};

	/**
	 * The executions `act` started: none, when the count between two markers (sent before and
	 * after it) grows by the second marker only.
	 */
	const executionsStartedBy = async (act: () => Promise<void>, bot = bots['0.4.26']) => {
		await marker(bot);
		const before = (await n8n.listExecutions(workflow.id)).length;
		await act();
		await marker(bot);
		return (await n8n.listExecutions(workflow.id)).length - before - 1;
	};

	beforeAll(async () => {
		n8n = await startN8n({ credentials: [demoCredential], workflows: [workflow] });
		bots['0.1.5'] = simulator('0.1.5');
		bots['0.4.26'] = simulator('0.4.26');
	});

	afterAll(async () => {
		await Promise.all(Object.values(bots).map((bot) => bot.close()));
		await n8n?.stop();
	});

	describe.each(['0.1.5', '0.4.26'] as const)('a bot on WeHub client %s', (version) => {
		const bot = () => bots[version];

		it('logs in (0.4.26: the login ack is signed with the appid secret)', async () => {
			const login = await bot().login();

			expect(login).toMatchObject({ ok: true, problems: [] });
			expect(login.ack?.ack_type).toBe('login_ack');
			if (version === '0.4.26') {
				// the simulator checks md5(wxid#nonce#secret); ok=true means it matched
				expect(login.ack?.data.signature).toMatch(/^[0-9a-fA-F]{32}$/);
			} else {
				expect(login.ack?.data.signature).toBeUndefined();
			}
		});

		it('reports its contacts', async () => {
			const report = await bot().reportContact({ friends: 4, groups: 1 });

			expect(report).toMatchObject({ ok: true, problems: [] });
		});

		it('gets exactly one pong, through pull_task, for a ping in a private chat', async () => {
			const friend = bot().contacts.friends[0].wxid;
			const ping = await bot().sendMessage('text', { text: 'ping', from: friend });
			expect(ping.replyTasks).toEqual([]);

			await pollUntil(bot(), () => textsTo(bot(), friend).length > 0);
			for (let i = 0; i < 3; i++) await bot().pollOnce();

			expect(textsTo(bot(), friend)).toEqual(['pong']);
			const [pong] = bot()
				.sentTexts()
				.filter((sent) => sent.to === friend);
			expect(pong.task).toMatchObject({ source: 'pull_task', task_type: 1 });
		});

		it('gets exactly one pong in the room for a ping in a room', async () => {
			const room = bot().contacts.groups[0].wxid;

			await bot().sendMessage('text', { text: ' PING ', room });
			await pollUntil(bot(), () => textsTo(bot(), room).length > 0);
			for (let i = 0; i < 3; i++) await bot().pollOnce();

			expect(textsTo(bot(), room)).toEqual(['pong']);
		});

		it('reports the pong task result to the Task Result event, with the original task', async () => {
			const room = bot().contacts.groups[0].wxid;
			const [pong] = bot()
				.sentTexts()
				.filter((sent) => sent.to === room);

			const execution = await waitForTriggered(
				n8n,
				workflow.id,
				(item) => item.event === 'task_result' && item.task_id === pong.task.task_id,
			);

			expect(triggerItems(execution)[0]).toMatchObject({
				event: 'task_result',
				bot_wxid: bot().wxid,
				success: true,
				known_task: true,
				task_type: 1,
				task_dict: pong.task.task_dict,
				target: room,
				state: 'done',
			});
		});

		it("ignores the bot's own ping: no pong, no execution", async () => {
			const friend = bot().contacts.friends[1].wxid;

			const started = await executionsStartedBy(async () => {
				const own = await bot().sendMessage('text', { text: 'ping', from: bot().wxid, to: friend });
				expect(own.ok).toBe(true);
			}, bot());
			for (let i = 0; i < 3; i++) await bot().pollOnce();

			expect(started).toBe(0);
			expect(textsTo(bot(), friend)).toEqual([]);
		});

		it('turns an uploaded image into binary data that the demo saves to disk', async () => {
			const fileIndex = `C:\\WeHub\\image\\${version}\\${bot().wxid}_upload.jpg`;
			const image = demoImage(version === '0.1.5' ? 1 : 2);
			await bot().sendMessage('image', { fileIndex });
			// after the message, which registers a random file under its file_index
			bot().registerMedia(fileIndex, image);

			const upload = await bot().uploadFile(fileIndex);
			expect(upload).toEqual({ ok: true, reason: '' });

			const execution = await waitForTriggered(
				n8n,
				workflow.id,
				(item) => item.event === 'file_uploaded' && item.file_index === fileIndex,
			);
			expect(execution.status).toBe('success');
			expect(triggerItems(execution)[0]).toMatchObject({
				file_name: image.filename,
				mime_type: 'image/jpeg',
				size: image.bytes.length,
				kind: 'image',
				chat: 'private',
			});
			expect(execution.binaries?.[TRIGGER][0][0][0]?.data).toMatchObject({
				fileName: image.filename,
				mimeType: 'image/jpeg',
			});
			const folder = join(filesFolder(n8n.userFolder), 'wehub');
			const saved = readdirSync(folder).filter((name) => name.endsWith(`-${image.filename}`));
			expect(saved).toHaveLength(1);
			expect(readFileSync(join(folder, saved[0])).equals(image.bytes)).toBe(true);
		});

		it('accepts a friend request (task 13) and greets the new friend', async () => {
			const { request } = await bot().friendAddRequest({ nickname: '李雷' });
			await pollUntil(bot(), () => bot().tasks.some((task) => task.task_type === 13));

			expect(bot().tasks.filter((task) => task.task_type === 13)).toEqual([
				expect.objectContaining({
					source: 'pull_task',
					task_dict: { v1: request.v1, v2: request.v2 },
					result: { success: true, reason: '' },
				}),
			]);
			expect(bot().acceptedFriendRequests).toEqual([]);

			const { friend } = await bot().newFriend({ user: request.user });
			await pollUntil(bot(), () => textsTo(bot(), friend.wxid).length > 0);

			expect(textsTo(bot(), friend.wxid)).toEqual([
				`${friend.nickname}，你好！我是 n8n 驱动的机器人，发送 ping 试试。Hi! Send "ping" to try me.`,
			]);
		});
	});

	it('starts no execution for pull_task polls with nothing queued', async () => {
		const bot = bots['0.4.26'];
		const answers: unknown[] = [];

		const started = await executionsStartedBy(async () => {
			for (let i = 0; i < 10; i++) answers.push(await bot.pollOnce());
		});

		expect(answers).toEqual(Array(10).fill(undefined));
		expect(started).toBe(0);
	});

	describe('answers what WeHub could not have meant with a JSON error ack, and starts nothing', () => {
		const post = (body: string, contentType: string | null) =>
			fetch(n8n.webhookUrl('wehub'), {
				method: 'POST',
				headers: contentType ? { 'content-type': contentType } : {},
				body,
			});
		const ping = (appid: string) =>
			JSON.stringify({
				action: 'report_new_msg',
				appid,
				wxid: 'wxid_demo_bot_0426',
				data: {
					msg: {
						msg_type: 1,
						room_wxid: '',
						wxid_from: 'wxid_stranger_e2e',
						wxid_to: 'wxid_demo_bot_0426',
						msg: 'ping',
					},
				},
			});

		it.each([
			['a body that is not JSON', '{"action": "report_new_msg", ', 'application/json'],
			[
				'a request without action and wxid',
				'{"appid": "demo-appid", "data": {}}',
				'application/json',
			],
			['plain text', 'ping', 'text/plain'],
			[
				'a urlencoded form',
				'action=report_new_msg&appid=demo-appid',
				'application/x-www-form-urlencoded',
			],
			['a foreign appid', ping('someone-elses-appid'), 'application/json'],
		])('%s', async (_case, body, contentType) => {
			let response: Response | undefined;
			let text = '';

			const started = await executionsStartedBy(async () => {
				response = await post(body, contentType);
				text = await response.text();
			});

			expect(response?.headers.get('content-type')).toMatch(/^application\/json/);
			expect(text).not.toMatch(/<html/i);
			const ack = JSON.parse(text) as Record<string, unknown>;
			expect(ack.error_code).not.toBe(0);
			expect(typeof ack.ack_type).toBe('string');
			expect(String(ack.error_reason)).not.toBe('');
			expect(started).toBe(0);
		});
	});

	it('keeps a queued pong across an n8n restart and hands it out exactly once', async () => {
		const bot = bots['0.4.26'];
		const friend = bot.contacts.friends[2].wxid;
		// Not polling: the pong stays queued in the embedded store of the user folder.
		await bot.sendMessage('text', { text: 'ping', from: friend });
		const queued = await waitForTriggered(
			n8n,
			workflow.id,
			(item) => item.text === 'ping' && item.from_wxid === friend,
		);
		expect(queued.nodes?.['Reply Pong']).toHaveLength(1);

		await n8n.restart();
		await pollUntil(bot, () => textsTo(bot, friend).length > 0);
		for (let i = 0; i < 3; i++) await bot.pollOnce();

		expect(textsTo(bot, friend)).toEqual(['pong']);
	});

	it('acked every action as a strict WeHub client expects', () => {
		for (const bot of Object.values(bots)) {
			expect(bot.violations).toEqual([]);
			expect(bot.stats.duplicateTaskIds).toBe(0);
		}
	});
});
