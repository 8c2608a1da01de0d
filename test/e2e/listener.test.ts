import { connect } from 'net';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { WeHubSimulator } from '../../sim/WeHubSimulator';
import { sleep } from '../helpers/sleep';
import { startN8n, type N8nInstance } from './harness';
import { freePort } from './harness/freePort';
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

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function portOpen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/** n8n 2.x activates triggers asynchronously: the port opens a few seconds after n8n is ready. */
async function waitForListener(port: number, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const healthy = await fetch(`http://127.0.0.1:${port}/healthz`)
			.then((response) => response.ok)
			.catch(() => false);
		if (healthy) return;
		if (Date.now() > deadline) throw new Error(`the listener on port ${port} never answered`);
		await sleep(250);
	}
}

/**
 * The demo session through the trigger's "Own Listener (High Volume)" mode in a real n8n: the
 * same WeHub Demo workflow, its trigger opening its own port instead of n8n's webhook URL.
 */
describe('the WeHub Demo workflow with Receive Via = Own Listener, in a real n8n', () => {
	let n8n: N8nInstance;
	let port: number;
	let bot: WeHubSimulator;
	let workflowId: string;

	beforeAll(async () => {
		port = await freePort();
		const workflow = demoWorkflow({
			addEvents: ['task_result'],
			parameters: { receiveVia: 'listener', listenerHost: '127.0.0.1', listenerPort: port },
		});
		workflowId = workflow.id;
		// No n8n webhook to wait for in listener mode: the listener's /healthz is the probe.
		n8n = await startN8n({
			credentials: [demoCredential],
			workflows: [workflow],
			readyProbes: [],
		});
		await waitForListener(port);
		bot = new WeHubSimulator({
			callbackUrl: `http://127.0.0.1:${port}/wehub`,
			appid: DEMO_APPID,
			wxid: 'wxid_listener_bot',
			secretKey: DEMO_SECRET,
			clientVersion: '0.4.26',
		});
	});

	afterAll(async () => {
		await bot?.close();
		await n8n?.stop();
	});

	it('registers no n8n webhook for the callback path', async () => {
		const response = await fetch(n8n.webhookUrl('wehub'), { method: 'POST', body: '{}' });
		await response.arrayBuffer();

		expect(response.status).toBe(404);
	});

	it('answers login (signed) and report_contact', async () => {
		expect(await bot.login()).toMatchObject({ ok: true, problems: [] });
		expect(await bot.reportContact({ friends: 3, groups: 1 })).toMatchObject({ ok: true });
	});

	it('answers pull_task itself: polls with nothing queued start no execution', async () => {
		const before = (await n8n.listExecutions(workflowId)).length;

		const answers: unknown[] = [];
		for (let i = 0; i < 20; i++) answers.push(await bot.pollOnce());

		expect(answers).toEqual(Array(20).fill(undefined));
		// The login and contact report selected no event: nothing at all ran so far.
		expect(before).toBe(0);
		expect(await n8n.listExecutions(workflowId)).toHaveLength(0);
	});

	it('starts an execution for a ping, whose pong arrives once through pull_task', async () => {
		const room = bot.contacts.groups[0].wxid;

		await bot.sendMessage('text', { text: 'ping', room });
		await pollUntil(bot, () => textsTo(bot, room).length > 0);
		for (let i = 0; i < 3; i++) await bot.pollOnce();

		expect(textsTo(bot, room)).toEqual(['pong']);
		const execution = await waitForTriggered(n8n, workflowId, (item) => item.text === 'ping');
		expect(execution).toMatchObject({ mode: 'trigger', status: 'success' });
	});

	it('reports the pong task result to the Task Result event', async () => {
		const [pong] = bot.sentTexts();

		const execution = await waitForTriggered(
			n8n,
			workflowId,
			(item) => item.event === 'task_result' && item.task_id === pong.task.task_id,
		);

		expect(triggerItems(execution)[0]).toMatchObject({
			success: true,
			task_type: 1,
			task_dict: pong.task.task_dict,
		});
	});

	it('turns an upload into binary data that the demo saves to disk', async () => {
		const fileIndex = 'C:\\WeHub\\image\\listener_upload.jpg';
		const image = demoImage(3);
		await bot.sendMessage('image', { fileIndex });
		// after the message, which registers a random file under its file_index
		bot.registerMedia(fileIndex, image);

		expect(await bot.uploadFile(fileIndex)).toEqual({ ok: true, reason: '' });

		const execution = await waitForTriggered(
			n8n,
			workflowId,
			(item) => item.event === 'file_uploaded' && item.file_index === fileIndex,
		);
		expect(execution.status).toBe('success');
		expect(triggerItems(execution)[0]).toMatchObject({
			file_name: image.filename,
			mime_type: 'image/jpeg',
			size: image.bytes.length,
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

	it('acked every action as a strict WeHub client expects', () => {
		expect(bot.violations).toEqual([]);
	});

	it('frees the port when n8n stops', async () => {
		expect(await portOpen(port)).toBe(true);

		await n8n.stop();

		expect(await portOpen(port)).toBe(false);
	});
});
