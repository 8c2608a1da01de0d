import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { sendMessageTask, textUnit } from '../../nodes/WeHub/protocol/tasks';
import { handleCallback } from '../../nodes/WeHub/trigger/handleCallback';
import { ALICE_WXID, BOT_WXID } from '../protocol/fixtures';
import { APPID, body, context, NOW, StoreFixture } from '../trigger/harness';

/**
 * What docs/security.md says a forged request can and cannot do, checked against the trigger with
 * a real store, and the sentences that say it checked against the document.
 */

const SECURITY_MD = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');

describe('a forged report_task_result', () => {
	const fixture = new StoreFixture('embedded');
	beforeAll(async () => await fixture.start());
	afterAll(async () => await fixture.stop());

	const forged = (taskId: string) =>
		body('report_task_result', BOT_WXID, { task_id: taskId, task_result: 1 });

	it('leaves queued and finished tasks as they are and only changes a handed-out one', async () => {
		const store = await fixture.store();
		const bot = { appid: APPID, wxid: BOT_WXID };
		const task = () => sendMessageTask(ALICE_WXID, [textUnit('明天见')]);
		const handedOut = await store.enqueue(bot, task());
		await store.poll(bot, NOW);
		const queued = await store.enqueue(bot, task());
		const cancelled = await store.enqueue(bot, task());
		await store.cancel(APPID, cancelled.task_id);

		for (const record of [queued, cancelled, handedOut]) {
			expect((await handleCallback(forged(record.task_id), context(fixture))).ack.error_code).toBe(
				0,
			);
		}
		expect((await store.get(APPID, queued.task_id))?.state).toBe('queued');
		expect((await store.get(APPID, cancelled.task_id))?.state).toBe('cancelled');
		expect((await store.get(APPID, handedOut.task_id))?.state).toBe('done');
	});

	it('is described so in docs/security.md: handed-out tasks only', () => {
		expect(SECURITY_MD).not.toMatch(/mark\s+queued\s+tasks\s+done/);
		expect(SECURITY_MD).toMatch(/forged result can only mark a task done or failed that WeHub/);
		expect(SECURITY_MD).toMatch(
			/a task still queued,\s+or one already finished,\s+is left as it is/,
		);
	});
});

describe('docs/security.md on answers', () => {
	it('says every callback and upload answer is an HTTP 200 whose error_code says what went wrong', () => {
		expect(SECURITY_MD).toMatch(/## Answers: always HTTP 200 on the callback and upload URLs/);
		expect(SECURITY_MD).toMatch(/`error_code` 403 `unknown appid`, in an HTTP 200/);
		expect(SECURITY_MD).not.toMatch(/the node answers 413 JSON/);
		expect(SECURITY_MD).toMatch(/\*\*Media downloads\*\*/);
	});
});
