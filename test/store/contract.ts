import type { WeHubTask } from '../../nodes/WeHub/protocol/types';
import type { BotRef, StoreLimits, TaskStore } from '../../nodes/WeHub/store/TaskStore';

/**
 * The TaskStore contract: every backend runs this suite (see embedded.test.ts and redis.test.ts).
 * `openStore` must return a fresh, empty store with the given limits and no background sweep;
 * the suite closes it. Times are a fake clock passed as `now`.
 */
export type OpenStore = (limits?: Partial<StoreLimits>) => Promise<TaskStore>;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Monday 3 March 2025, 09:00 UTC. */
const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);

const bot: BotRef = { appid: 'wh_app_5f3c2a', wxid: 'wxid_bot_fangqing' };
const otherBot: BotRef = { appid: 'wh_app_5f3c2a', wxid: 'wxid_bot_service2' };
const otherAppBot: BotRef = { appid: 'wh_app_9d81e0', wxid: 'wxid_bot_fangqing' };

function sendText(text: string): WeHubTask {
	return {
		task_type: 1,
		task_dict: {
			wxid_to: '20783541032@chatroom',
			at_list: [],
			msg_list: [{ msg_type: 1, msg: text }],
		},
	};
}

const acceptFriend = (n: number): WeHubTask => ({
	task_type: 13,
	task_dict: {
		v1: `v1_3f4a0c${n}@stranger`,
		v2: `v2_8be1d9${n}@stranger`,
	},
});

const reportRoomMembers: WeHubTask = {
	task_type: 4,
	task_dict: { room_wxid_list: ['20783541032@chatroom'] },
};

export function taskStoreContract(name: string, openStore: OpenStore): void {
	describe(`TaskStore contract: ${name}`, () => {
		let store: TaskStore;
		const open = async (limits?: Partial<StoreLimits>) => {
			await store?.close();
			store = await openStore(limits);
			return store;
		};

		beforeEach(async () => {
			await open();
		});
		afterEach(async () => {
			await store.close();
		});

		describe('enqueue and get', () => {
			it('queues a task with a unique, creation-ordered id and its place in the queue', async () => {
				const first = await store.enqueue(bot, sendText('早上好'), { now: T0 });
				const second = await store.enqueue(bot, sendText('开会了'), {
					now: T0 + 1,
					meta: { workflow: 'Daily greeting', execution: '1842' },
				});
				expect(first).toEqual({
					task_id: expect.any(String),
					appid: bot.appid,
					bot_wxid: bot.wxid,
					task: sendText('早上好'),
					state: 'queued',
					created_at: T0,
					position: 1,
				});
				expect(second.position).toBe(2);
				expect(second.task_id > first.task_id).toBe(true);
				const { position: _position, ...stored } = second;
				expect(await store.get(bot.appid, second.task_id)).toEqual(stored);
			});

			it('keeps the task exactly as given, empty arrays and non-ASCII text included', async () => {
				const task: WeHubTask = {
					task_type: 1,
					task_dict: {
						room_wxid: '',
						wxid: 'wxid_friend_01',
						wxid_to: 'wxid_friend_01',
						at_list: [],
						msg_list: [
							{ msg_type: 1, msg: '[笑脸] 你好 "quoted" \\ back' },
							{
								msg_type: 49,
								link_url: 'https://example.com/a?b=1&c=2',
								link_title: '标题',
								link_desc: '',
								link_img_url: 'https://example.com/i.png',
							},
						],
					},
				};
				const queued = await store.enqueue(bot, task);
				expect((await store.get(bot.appid, queued.task_id))?.task).toEqual(task);
			});

			it('answers null for an unknown task id or another appid', async () => {
				const queued = await store.enqueue(bot, sendText('hi'));
				expect(await store.get(bot.appid, '0000000000000unknown')).toBeNull();
				expect(await store.get(otherAppBot.appid, queued.task_id)).toBeNull();
			});
		});

		describe('handOut', () => {
			it('hands tasks out oldest first, once each, then answers null', async () => {
				const a = await store.enqueue(bot, sendText('one'), { now: T0 });
				const b = await store.enqueue(bot, sendText('two'), { now: T0 });
				const first = await store.handOut(bot, T0 + 1000);
				expect(first).toEqual({
					...withoutPosition(a),
					state: 'handed_out',
					handed_out_at: T0 + 1000,
				});
				expect((await store.handOut(bot, T0 + 2000))?.task_id).toBe(b.task_id);
				expect(await store.handOut(bot, T0 + 3000)).toBeNull();
				expect((await store.get(bot.appid, a.task_id))?.state).toBe('handed_out');
			});

			it("keeps each bot's queue separate, also across appids", async () => {
				const mine = await store.enqueue(bot, sendText('for the bot'));
				await store.enqueue(otherBot, sendText('for another bot'));
				await store.enqueue(otherAppBot, sendText('same wxid, other appid'));
				expect((await store.handOut(bot, T0))?.task_id).toBe(mine.task_id);
				expect(await store.handOut(bot, T0)).toBeNull();
				expect(await store.handOut(otherBot, T0)).not.toBeNull();
				expect(await store.handOut(otherAppBot, T0)).not.toBeNull();
			});

			it('holds a task back until not_before, handing out later tasks meanwhile', async () => {
				const later = await store.enqueue(bot, sendText('at ten'), { notBefore: T0 + 60 * MINUTE });
				const now = await store.enqueue(bot, sendText('right away'));
				expect((await store.handOut(bot, T0))?.task_id).toBe(now.task_id);
				expect(await store.handOut(bot, T0 + 59 * MINUTE)).toBeNull();
				expect((await store.handOut(bot, T0 + 60 * MINUTE))?.task_id).toBe(later.task_id);
			});

			it('expires a task past expires_at instead of handing it out', async () => {
				const stale = await store.enqueue(bot, sendText('stale'), { expiresAt: T0 + MINUTE });
				const fresh = await store.enqueue(bot, sendText('fresh'));
				expect((await store.handOut(bot, T0 + 2 * MINUTE))?.task_id).toBe(fresh.task_id);
				expect(await store.get(bot.appid, stale.task_id)).toMatchObject({
					state: 'expired',
					finished_at: T0 + 2 * MINUTE,
				});
			});

			it('skips a task type that reached its daily cap until the next UTC day', async () => {
				await open({ dailyCaps: { 13: 2 } });
				const accepts = [];
				for (let n = 0; n < 3; n++) accepts.push(await store.enqueue(bot, acceptFriend(n)));
				const text = await store.enqueue(bot, sendText('not capped'));
				expect((await store.handOut(bot, T0))?.task_id).toBe(accepts[0].task_id);
				expect((await store.handOut(bot, T0))?.task_id).toBe(accepts[1].task_id);
				expect((await store.handOut(bot, T0))?.task_id).toBe(text.task_id);
				expect(await store.handOut(bot, T0 + 14 * 60 * MINUTE)).toBeNull();
				// Caps are per bot: another bot still accepts friends today.
				await store.enqueue(otherBot, acceptFriend(9));
				expect(await store.handOut(otherBot, T0)).not.toBeNull();
				const tomorrow = Date.UTC(2025, 2, 4, 0, 0, 0);
				expect((await store.handOut(bot, tomorrow))?.task_id).toBe(accepts[2].task_id);
			});

			it('applies the default caps (200 friend accepts a day) when none are configured', async () => {
				expect(store.backend).toMatch(/embedded|redis/);
				for (let n = 0; n < 201; n++) await store.enqueue(bot, acceptFriend(n));
				let handed = 0;
				while (await store.handOut(bot, T0)) handed++;
				expect(handed).toBe(200);
			});

			it('paces hand-outs to one bot by minIntervalMs, not across bots', async () => {
				await open({ minIntervalMs: 5_000 });
				for (const text of ['a', 'b']) await store.enqueue(bot, sendText(text));
				await store.enqueue(otherBot, sendText('c'));
				expect(await store.handOut(bot, T0)).not.toBeNull();
				expect(await store.handOut(bot, T0 + 4_999)).toBeNull();
				expect(await store.handOut(otherBot, T0 + 1)).not.toBeNull();
				expect(await store.handOut(bot, T0 + 5_000)).not.toBeNull();
			});

			it('never hands one task to two concurrent callers', async () => {
				const ids = new Set<string>();
				for (let n = 0; n < 100; n++)
					ids.add((await store.enqueue(bot, sendText(`#${n}`))).task_id);
				const results = await Promise.all(
					Array.from({ length: 160 }, () => store.handOut(bot, T0)),
				);
				const handed = results.filter((r) => r !== null).map((r) => r!.task_id);
				expect(handed).toHaveLength(100);
				expect(new Set(handed)).toEqual(ids);
			});
		});

		describe('complete', () => {
			it('records success as done and failure as failed with its reason', async () => {
				await store.enqueue(bot, sendText('ok'));
				await store.enqueue(bot, sendText('fails'));
				const ok = (await store.handOut(bot, T0))!;
				const ko = (await store.handOut(bot, T0))!;
				expect(await store.complete(bot.appid, ok.task_id, true, undefined, T0 + 3000)).toEqual({
					...ok,
					state: 'done',
					success: true,
					finished_at: T0 + 3000,
				});
				expect(
					await store.complete(bot.appid, ko.task_id, false, '对方已不是好友', T0 + 3000),
				).toMatchObject({ state: 'failed', success: false, error_reason: '对方已不是好友' });
			});

			it('is idempotent: a repeated report leaves the first result unchanged', async () => {
				await store.enqueue(bot, sendText('once'));
				const handed = (await store.handOut(bot, T0))!;
				const done = await store.complete(bot.appid, handed.task_id, true, undefined, T0 + 1);
				expect(await store.complete(bot.appid, handed.task_id, false, 'late', T0 + 2)).toEqual(
					done,
				);
			});

			it('answers null for an unknown id and leaves a queued task queued', async () => {
				const queued = await store.enqueue(bot, sendText('not yet pulled'));
				expect(await store.complete(bot.appid, 'no-such-task', true)).toBeNull();
				expect((await store.complete(bot.appid, queued.task_id, true))?.state).toBe('queued');
			});

			it('treats a report after lostAfterMs as too late: the task is lost', async () => {
				await open({ lostAfterMs: 10 * MINUTE });
				await store.enqueue(bot, sendText('slow'));
				const handed = (await store.handOut(bot, T0))!;
				const late = await store.complete(
					bot.appid,
					handed.task_id,
					true,
					undefined,
					T0 + 11 * MINUTE,
				);
				expect(late).toMatchObject({ state: 'lost', finished_at: T0 + 11 * MINUTE });
				expect(late?.success).toBeUndefined();
			});
		});

		describe('lost tasks', () => {
			it('marks a handed-out task without a report lost in the sweep, and never hands it out again', async () => {
				await open({ lostAfterMs: 10 * MINUTE });
				await store.enqueue(bot, sendText('no report'));
				await store.enqueue(bot, sendText('reported'));
				const silent = (await store.handOut(bot, T0))!;
				const reported = (await store.handOut(bot, T0))!;
				await store.complete(bot.appid, reported.task_id, true, undefined, T0 + MINUTE);
				expect(await store.sweep(T0 + 10 * MINUTE)).toEqual({ lost: 0, expired: 0, removed: 0 });
				expect(await store.sweep(T0 + 10 * MINUTE + 1)).toEqual({
					lost: 1,
					expired: 0,
					removed: 0,
				});
				expect(await store.get(bot.appid, silent.task_id)).toMatchObject({
					state: 'lost',
					finished_at: T0 + 10 * MINUTE + 1,
				});
				expect((await store.get(bot.appid, reported.task_id))?.state).toBe('done');
				expect(await store.handOut(bot, T0 + 11 * MINUTE)).toBeNull();
				expect((await store.complete(bot.appid, silent.task_id, true))?.state).toBe('lost');
			});
		});

		describe('cancel', () => {
			it('cancels a queued task so it is never handed out', async () => {
				const queued = await store.enqueue(bot, sendText('never mind'));
				const cancelled = await store.cancel(bot.appid, queued.task_id);
				expect(cancelled).toMatchObject({ state: 'cancelled', finished_at: expect.any(Number) });
				expect(await store.handOut(bot, T0)).toBeNull();
				expect(await store.cancel(bot.appid, queued.task_id)).toEqual(cancelled);
			});

			it('leaves a handed-out task alone and answers null for an unknown id', async () => {
				await store.enqueue(bot, sendText('already gone'));
				const handed = (await store.handOut(bot, T0))!;
				expect(await store.cancel(bot.appid, handed.task_id)).toEqual(handed);
				expect(await store.cancel(bot.appid, 'no-such-task')).toBeNull();
			});
		});

		describe('list', () => {
			it("lists a bot's tasks oldest first, by state and up to a limit", async () => {
				const ids = [];
				for (let n = 0; n < 5; n++) ids.push((await store.enqueue(bot, sendText(`#${n}`))).task_id);
				await store.enqueue(bot, sendText('later'), { notBefore: T0 + DAY });
				await store.enqueue(otherBot, sendText('not mine'));
				await store.handOut(bot, T0);
				await store.cancel(bot.appid, ids[3]);

				expect((await store.list(bot)).map((t) => t.task_id).slice(0, 5)).toEqual(ids);
				expect(await store.list(bot)).toHaveLength(6);
				expect((await store.list(bot, 'queued')).map((t) => t.task.task_dict)).toEqual([
					sendText('#1').task_dict,
					sendText('#2').task_dict,
					sendText('#4').task_dict,
					sendText('later').task_dict,
				]);
				expect((await store.list(bot, 'queued', 2)).map((t) => t.task_id)).toEqual([
					ids[1],
					ids[2],
				]);
				expect((await store.list(bot, 'handed_out')).map((t) => t.task_id)).toEqual([ids[0]]);
				expect((await store.list(bot, 'cancelled')).map((t) => t.task_id)).toEqual([ids[3]]);
				expect(await store.list(bot, 'done')).toEqual([]);
			});

			it('lists every task when no limit is given, however many there are', async () => {
				const ids = [];
				for (let n = 0; n < 150; n++) {
					ids.push((await store.enqueue(bot, sendText(`#${n}`), { now: T0 + n })).task_id);
				}
				await store.enqueue(bot, sendText('held back'), { now: T0 + 150, notBefore: T0 + DAY });
				await store.handOut(bot, T0 + 200);

				expect((await store.list(bot)).map((t) => t.task_id).slice(0, 150)).toEqual(ids);
				expect(await store.list(bot)).toHaveLength(151);
				expect((await store.list(bot, 'queued')).map((t) => t.task_id)).toEqual([
					...ids.slice(1),
					expect.any(String),
				]);
				expect(await store.list(bot, 'queued', 120)).toHaveLength(120);
			});
		});

		describe('waitForResult', () => {
			it('resolves as soon as the task is reported', async () => {
				await store.enqueue(bot, sendText('waiting'));
				const handed = (await store.handOut(bot))!;
				const started = Date.now();
				const waiting = store.waitForResult(bot.appid, handed.task_id, 5_000);
				setTimeout(() => void store.complete(bot.appid, handed.task_id, true), 50);
				expect(await waiting).toMatchObject({ state: 'done', success: true });
				expect(Date.now() - started).toBeLessThan(2_000);
			});

			it('answers the current state at the timeout, and null for an unknown id', async () => {
				const queued = await store.enqueue(bot, sendText('nobody pulls'));
				expect(await store.waitForResult(bot.appid, queued.task_id, 150)).toMatchObject({
					state: 'queued',
				});
				expect(await store.waitForResult(bot.appid, 'no-such-task', 150)).toBeNull();
			});
		});

		describe('sweep', () => {
			it('expires queued tasks past expires_at, also those held by not_before', async () => {
				await store.enqueue(bot, sendText('a'), { expiresAt: T0 + MINUTE });
				await store.enqueue(bot, sendText('b'), {
					notBefore: T0 + 2 * MINUTE,
					expiresAt: T0 + MINUTE,
				});
				await store.enqueue(bot, sendText('c'), { expiresAt: T0 + 10 * MINUTE });
				expect(await store.sweep(T0 + MINUTE)).toEqual({ lost: 0, expired: 2, removed: 0 });
				expect((await store.list(bot, 'queued')).map((t) => t.task.task_dict)).toEqual([
					sendText('c').task_dict,
				]);
			});

			it('removes finished tasks, files and friend requests after retainFinishedMs', async () => {
				await open({ retainFinishedMs: DAY });
				await store.enqueue(bot, sendText('done'));
				const handed = (await store.handOut(bot, T0))!;
				await store.complete(bot.appid, handed.task_id, true, undefined, T0);
				await store.rememberFile({
					appid: bot.appid,
					bot_wxid: bot.wxid,
					file_index: 'C:\\WeHub\\cache\\img_2025030309.jpg',
					state: 'reported',
					msg_type: 3,
					reported_at: T0,
				});
				await store.rememberFriendRequest(friendRequest(T0));

				expect(await store.sweep(T0 + DAY - 1)).toEqual({ lost: 0, expired: 0, removed: 0 });
				expect(await store.sweep(T0 + DAY)).toEqual({ lost: 0, expired: 0, removed: 3 });
				expect(await store.get(bot.appid, handed.task_id)).toBeNull();
				expect(await store.list(bot)).toEqual([]);
				expect(await store.getFile(bot.appid, 'C:\\WeHub\\cache\\img_2025030309.jpg')).toBeNull();
				expect(await store.getFriendRequest(bot, 'wxid_requester_77')).toBeNull();
			});

			it('removes media once it expires', async () => {
				await store.putMedia(media('m1', T0 + MINUTE));
				expect(await store.sweep(T0 + MINUTE)).toEqual({ lost: 0, expired: 0, removed: 1 });
				expect(await store.getMedia('m1', T0)).toBeNull();
			});
		});

		describe('presence', () => {
			it('knows nothing of a bot before it logs in or polls', async () => {
				expect(await store.getBot(bot)).toBeNull();
				expect(await store.listBots(bot.appid)).toEqual([]);
			});

			it('records login and logout with the queue depth computed', async () => {
				await store.enqueue(bot, sendText('queued before login'));
				expect(
					await store.recordLogin(
						bot,
						{
							nickname: '方青',
							wx_alias: 'fangqing_hust',
							head_img: 'http://wx.qlogo.cn/mmhead/abc/132',
							client_version: '0.4.26',
							machine_id: 'M-01',
						},
						T0,
					),
				).toEqual({
					appid: bot.appid,
					wxid: bot.wxid,
					online: true,
					nickname: '方青',
					wx_alias: 'fangqing_hust',
					client_version: '0.4.26',
					login_at: T0,
					queue_depth: 1,
				});
				const out = await store.recordLogout(bot, T0 + DAY);
				expect(out).toMatchObject({ online: false, login_at: T0, logout_at: T0 + DAY });
				expect(await store.getBot(bot)).toEqual(out);
			});

			it('lists the bots of one appid', async () => {
				await store.recordLogin(bot, { nickname: 'A' }, T0);
				await store.recordLogin(otherBot, { nickname: 'B' }, T0);
				await store.recordLogin(otherAppBot, { nickname: 'C' }, T0);
				const bots = await store.listBots(bot.appid);
				expect(bots.map((b) => b.wxid).sort()).toEqual([bot.wxid, otherBot.wxid].sort());
			});

			it('poll records the poll, hands out one task and returns presence in one call', async () => {
				await store.recordLogin(bot, { nickname: '方青', client_version: '0.2.15' }, T0);
				const queued = await store.enqueue(bot, sendText('first'));
				await store.enqueue(bot, sendText('second'));
				const result = await store.poll(bot, T0 + 5_000);
				expect(result.task).toMatchObject({ task_id: queued.task_id, state: 'handed_out' });
				expect(result.bot).toMatchObject({
					online: true,
					nickname: '方青',
					last_poll_at: T0 + 5_000,
					queue_depth: 1,
				});
				expect(await store.poll(bot, T0 + 10_000)).toMatchObject({ bot: { queue_depth: 0 } });
				expect(await store.poll(bot, T0 + 15_000)).toMatchObject({ task: null });
			});

			it('poll from a bot never seen registers it as online', async () => {
				const result = await store.poll(otherBot, T0);
				expect(result).toEqual({
					task: null,
					bot: {
						appid: otherBot.appid,
						wxid: otherBot.wxid,
						online: true,
						last_poll_at: T0,
						queue_depth: 0,
					},
				});
			});

			it('remembers the least client version a bot is known to run, registering a new bot as online', async () => {
				expect(await store.recordMinClientVersion(otherBot, '0.2.0', T0)).toEqual({
					appid: otherBot.appid,
					wxid: otherBot.wxid,
					online: true,
					min_client_version: '0.2.0',
					queue_depth: 0,
				});
				await store.recordLogin(bot, { nickname: '方青' }, T0);
				await store.recordLogout(bot, T0 + MINUTE);
				expect(await store.recordMinClientVersion(bot, '0.2.0', T0 + 2 * MINUTE)).toMatchObject({
					online: false,
					nickname: '方青',
					min_client_version: '0.2.0',
					logout_at: T0 + MINUTE,
				});
				expect(await store.getBot(otherBot)).toMatchObject({ min_client_version: '0.2.0' });
			});

			it('removes bots nobody has heard from for retainFinishedMs, and only those', async () => {
				await open({ retainFinishedMs: DAY });
				const silent = { appid: bot.appid, wxid: 'wxid_random_1a' };
				await store.poll(silent, T0);
				await store.recordLogin(bot, { nickname: '方青' }, T0);
				await store.recordMinClientVersion(otherBot, '0.2.0', T0);
				const queued = await store.enqueue(silent, sendText('waits for the bot'));
				// Heard from again: a poll a day later keeps the bot.
				await store.poll(bot, T0 + DAY - MINUTE);
				expect((await store.sweep(T0 + DAY - 1)).removed).toBe(0);
				const { removed } = await store.sweep(T0 + DAY + 61 * MINUTE);
				expect(removed).toBe(2);
				expect(await store.getBot(silent)).toBeNull();
				expect(await store.getBot(otherBot)).toBeNull();
				expect(await store.getBot(bot)).toMatchObject({ nickname: '方青', online: true });
				expect((await store.listBots(bot.appid)).map((b) => b.wxid)).toEqual([bot.wxid]);
				// Its tasks are not presence: they wait, and a bot heard from again is registered anew.
				expect(await store.get(bot.appid, queued.task_id)).toMatchObject({ state: 'queued' });
				const again = await store.poll(silent, T0 + 3 * DAY);
				expect(again.task?.task_id).toBe(queued.task_id);
				expect(await store.getBot(silent)).toMatchObject({ last_poll_at: T0 + 3 * DAY });
				// Two days on, the logged-in bot has gone unheard too; the one just heard from stays.
				expect((await store.sweep(T0 + 3 * DAY + 1)).removed).toBe(1);
				expect((await store.listBots(bot.appid)).map((b) => b.wxid)).toEqual([silent.wxid]);
			});

			it('counts only queued tasks in queue_depth', async () => {
				await store.recordLogin(bot, {}, T0);
				const a = await store.enqueue(bot, sendText('a'));
				await store.enqueue(bot, sendText('b'), { notBefore: T0 + DAY });
				await store.enqueue(bot, sendText('c'));
				expect((await store.getBot(bot))?.queue_depth).toBe(3);
				await store.cancel(bot.appid, a.task_id);
				await store.handOut(bot, T0);
				expect((await store.getBot(bot))?.queue_depth).toBe(1);
			});
		});

		describe('files', () => {
			const image = {
				appid: bot.appid,
				bot_wxid: bot.wxid,
				file_index: 'C:\\Users\\wehub\\Documents\\WeChat Files\\img\\1a2b3c.jpg',
				state: 'reported' as const,
				kind: 'image',
				msg_type: 3,
				msg_id: '7318826105471292381',
				room_wxid: '20783541032@chatroom',
				from_wxid: 'wxid_sender_42',
				reported_at: T0,
			};

			it('remembers a reported file and marks it uploaded', async () => {
				await store.rememberFile(image);
				expect(await store.getFile(bot.appid, image.file_index)).toEqual(image);
				expect(await store.markFileUploaded(bot.appid, image.file_index, T0 + 2_000)).toEqual({
					file: { ...image, state: 'uploaded', uploaded_at: T0 + 2_000 },
					repeated: false,
				});
				expect((await store.getFile(bot.appid, image.file_index))?.state).toBe('uploaded');
			});

			it('says when the same file is uploaded again, leaving the first upload as it was', async () => {
				await store.rememberFile(image);
				await store.markFileUploaded(bot.appid, image.file_index, T0 + 2_000);
				const uploaded = { ...image, state: 'uploaded', uploaded_at: T0 + 2_000 };
				expect(await store.markFileUploaded(bot.appid, image.file_index, T0 + 9_000)).toEqual({
					file: uploaded,
					repeated: true,
				});
				expect(await store.getFile(bot.appid, image.file_index)).toEqual(uploaded);
			});

			it('marks one of two concurrent uploads of a file as the first', async () => {
				await store.rememberFile(image);
				const marks = await Promise.all(
					[1, 2].map(
						async (n) => await store.markFileUploaded(bot.appid, image.file_index, T0 + n),
					),
				);
				expect(marks.map((mark) => mark?.repeated).sort()).toEqual([false, true]);
			});

			it('remembers the files of one callback in one call', async () => {
				const files = Array.from({ length: 1_200 }, (_, i) => ({
					...image,
					file_index: `3053020100044c30${String(i).padStart(5, '0')}`,
					msg_id: `73188261054712${String(i).padStart(5, '0')}`,
				}));
				await store.rememberFiles(files);
				await store.rememberFiles([]);
				expect(await store.getFile(bot.appid, files[0].file_index)).toEqual(files[0]);
				expect(await store.getFile(bot.appid, files[1_199].file_index)).toEqual(files[1_199]);
				// As rememberFile: a file reported again is replaced.
				const again = { ...files[7], msg_id: 'again', reported_at: T0 + 5 };
				await store.rememberFiles([again]);
				expect(await store.getFile(bot.appid, again.file_index)).toEqual(again);
			});

			it('answers null for an unknown file, also when marking it uploaded', async () => {
				expect(await store.getFile(bot.appid, 'missing.jpg')).toBeNull();
				expect(await store.markFileUploaded(bot.appid, 'missing.jpg')).toBeNull();
				await store.rememberFile(image);
				expect(await store.getFile(otherAppBot.appid, image.file_index)).toBeNull();
			});
		});

		describe('friend requests', () => {
			it('remembers the latest request of a requester per bot', async () => {
				await store.rememberFriendRequest(friendRequest(T0));
				const again = { ...friendRequest(T0 + MINUTE), notice_word: '我是张三，第二次' };
				await store.rememberFriendRequest(again);
				expect(await store.getFriendRequest(bot, 'wxid_requester_77')).toEqual(again);
				expect(await store.getFriendRequest(otherBot, 'wxid_requester_77')).toBeNull();
			});
		});

		describe('media', () => {
			it('keeps binary data intact and answers null once expired', async () => {
				const record = media('m-bytes', T0 + MINUTE);
				await store.putMedia(record);
				const read = await store.getMedia('m-bytes', T0);
				expect(read).toEqual(record);
				expect(Buffer.isBuffer(read?.data)).toBe(true);
				expect(await store.getMedia('m-bytes', T0 + MINUTE)).toBeNull();
				expect(await store.getMedia('missing', T0)).toBeNull();
			});
		});

		describe('settings', () => {
			it('stores small values per appid', async () => {
				await store.putSetting(bot.appid, 'mediaBaseUrl', 'https://n8n.example.com/webhook/wehub');
				await store.putSetting(bot.appid, 'mediaBaseUrl', 'https://n8n.example.com/webhook/wh2');
				expect(await store.getSetting(bot.appid, 'mediaBaseUrl')).toBe(
					'https://n8n.example.com/webhook/wh2',
				);
				expect(await store.getSetting(otherAppBot.appid, 'mediaBaseUrl')).toBeNull();
				expect(await store.getSetting(bot.appid, 'missing')).toBeNull();
			});
		});

		describe('WebSocket presence and wake-ups', () => {
			it('marks a heartbeating bot online and a closed socket offline', async () => {
				await store.recordLogin(bot, { client_version: '0.4.26' }, T0);
				await store.recordHeartbeat(bot, T0 + 30_000);
				expect(await store.getBot(bot)).toMatchObject({
					online: true,
					login_at: T0,
					last_heartbeat_at: T0 + 30_000,
				});
				await store.recordSocketClosed(bot, T0 + 95_000);
				expect(await store.getBot(bot)).toMatchObject({
					online: false,
					last_heartbeat_at: T0 + 30_000,
				});
				await store.recordHeartbeat(bot, T0 + 120_000);
				expect((await store.getBot(bot))?.online).toBe(true);
			});

			it('tells watchers which bot a task was queued for, until they stop watching', async () => {
				const woken: Array<BotRef | undefined> = [];
				const stop = store.watchQueued((queuedFor) => woken.push(queuedFor));
				await store.enqueue(bot, sendText('第一条'));
				await store.enqueue(otherBot, sendText('第二条'));
				const wxids = () => new Set(woken.map((queuedFor) => queuedFor?.wxid));
				await waitFor(() => wxids().has(bot.wxid) && wxids().has(otherBot.wxid));
				// Announced in order; a backend may announce a bot twice (Redis: locally and by pub/sub).
				expect(woken.filter(Boolean)[0]).toEqual(bot);
				expect(woken.filter(Boolean)).toEqual(expect.arrayContaining([bot, otherBot]));
				stop();
				const before = woken.length;
				await store.enqueue(bot, sendText('第三条'));
				await new Promise((resolve) => setTimeout(resolve, 400));
				expect(woken.slice(before)).toEqual([]);
			});
		});

		describe('idempotent enqueue', () => {
			it('queues once per key and answers the first task to the same key again', async () => {
				const first = await store.enqueue(bot, sendText('pong'), {
					now: T0,
					idempotencyKey: 'delivery-7f3c/Reply Pong/0',
				});
				const again = await store.enqueue(bot, sendText('pong (replayed)'), {
					now: T0 + MINUTE,
					idempotencyKey: 'delivery-7f3c/Reply Pong/0',
				});
				expect(first.existing).toBeUndefined();
				expect(again).toMatchObject({
					task_id: first.task_id,
					task: sendText('pong'),
					state: 'queued',
					position: 1,
					existing: true,
					idempotency_key: 'delivery-7f3c/Reply Pong/0',
				});
				const other = await store.enqueue(bot, sendText('pong'), {
					idempotencyKey: 'delivery-7f3c/Reply Pong/1',
				});
				expect(other.task_id).not.toBe(first.task_id);
				expect((await store.list(bot, 'queued')).map((task) => task.task_id)).toEqual([
					first.task_id,
					other.task_id,
				]);
			});

			it('answers a task held by not_before with its place among all queued tasks', async () => {
				const held = await store.enqueue(bot, sendText('at ten'), {
					now: T0,
					notBefore: T0 + DAY,
					idempotencyKey: 'k-held',
				});
				const due = await store.enqueue(bot, sendText('now'), { now: T0 + 1 });
				const again = await store.enqueue(bot, sendText('at ten'), {
					now: T0 + 2,
					idempotencyKey: 'k-held',
				});
				expect([held.position, due.position]).toEqual([1, 2]);
				expect(again).toMatchObject({
					task_id: held.task_id,
					state: 'queued',
					position: 1,
					existing: true,
				});
			});

			it('keeps answering the task once it was handed out or finished, position 0', async () => {
				const first = await store.enqueue(bot, sendText('pong'), { idempotencyKey: 'k-1' });
				await store.handOut(bot, T0);
				await store.complete(bot.appid, first.task_id, true, undefined, T0 + 1);
				const again = await store.enqueue(bot, sendText('pong'), { idempotencyKey: 'k-1' });
				expect(again).toMatchObject({
					task_id: first.task_id,
					state: 'done',
					position: 0,
					existing: true,
				});
				expect(await store.handOut(bot, T0 + 2)).toBeNull();
			});

			it('scopes keys per appid and queues again once the task is no longer retained', async () => {
				const first = await store.enqueue(bot, sendText('pong'), {
					idempotencyKey: 'k-2',
					now: T0,
				});
				const otherApp = await store.enqueue(otherAppBot, sendText('pong'), {
					idempotencyKey: 'k-2',
				});
				expect(otherApp.task_id).not.toBe(first.task_id);
				await store.handOut(bot, T0);
				await store.complete(bot.appid, first.task_id, true, undefined, T0);
				await store.sweep(T0 + 30 * DAY);
				const later = await store.enqueue(bot, sendText('pong'), { idempotencyKey: 'k-2' });
				expect(later.task_id).not.toBe(first.task_id);
				expect(later.existing).toBeUndefined();
			});
		});

		describe('inbox', () => {
			const owner = 'wf-orders/WeHub Trigger';
			const entry = (id: string, receivedAt: number, holder = 'listener-a') => ({
				id,
				appid: bot.appid,
				owner,
				bot_wxid: bot.wxid,
				items: [
					{ event: 'message', text: 'ping', received_at: new Date(receivedAt).toISOString() },
				],
				received_at: receivedAt,
				holder,
				lease_until: receivedAt + MINUTE,
			});

			it('keeps an entry until its execution is done', async () => {
				expect(await store.inboxPut(entry('in-1', T0), 100)).toBe('stored');
				expect(await store.inboxList(bot.appid)).toEqual([{ ...entry('in-1', T0), attempts: 1 }]);
				await store.inboxDone(bot.appid, 'in-1');
				expect(await store.inboxList(bot.appid)).toEqual([]);
			});

			it('hands entries whose lease ran out to one claimer, oldest first, counting attempts', async () => {
				await store.inboxPut(entry('in-2', T0 + 2), 100);
				await store.inboxPut(entry('in-1', T0 + 1), 100);
				await store.inboxPut(entry('in-3', T0 + 3 * MINUTE), 100);
				const [first, second] = await Promise.all([
					store.inboxClaimExpired(
						bot.appid,
						owner,
						'listener-b',
						T0 + 5 * MINUTE,
						10,
						T0 + 2 * MINUTE,
					),
					store.inboxClaimExpired(
						bot.appid,
						owner,
						'listener-c',
						T0 + 5 * MINUTE,
						10,
						T0 + 2 * MINUTE,
					),
				]);
				const claimed = [...first.claimed, ...second.claimed];
				expect(claimed.map((taken) => taken.id)).toEqual(['in-1', 'in-2']);
				expect(first.claimed.length === 0 || second.claimed.length === 0).toBe(true);
				expect(claimed[0]).toMatchObject({
					attempts: 2,
					lease_until: T0 + 5 * MINUTE,
					items: entry('in-1', T0 + 1).items,
				});
				// A lease still running (in-3) is not taken, nor are the ones just claimed.
				const again = await store.inboxClaimExpired(
					bot.appid,
					owner,
					'listener-d',
					T0 + 9 * MINUTE,
					10,
					T0 + 4 * MINUTE,
				);
				expect(again.claimed.map((taken) => taken.id)).toEqual(['in-3']);
			});

			it('lets only the holder renew its leases', async () => {
				await store.inboxPut(entry('in-1', T0), 100);
				await store.inboxRenew(bot.appid, ['in-1'], 'listener-other', T0 + 60 * MINUTE);
				expect(
					(
						await store.inboxClaimExpired(
							bot.appid,
							owner,
							'x',
							T0 + 9 * MINUTE,
							10,
							T0 + 2 * MINUTE,
						)
					).claimed,
				).toHaveLength(1);
				await store.inboxPut(entry('in-2', T0), 100);
				await store.inboxRenew(bot.appid, ['in-2'], 'listener-a', T0 + 60 * MINUTE);
				expect(
					(
						await store.inboxClaimExpired(
							bot.appid,
							owner,
							'y',
							T0 + 9 * MINUTE,
							10,
							T0 + 2 * MINUTE,
						)
					).claimed,
				).toEqual([]);
			});

			it('refuses entries beyond the bound and drops entries past their age when claiming', async () => {
				expect(await store.inboxPut(entry('in-1', T0), 2)).toBe('stored');
				expect(await store.inboxPut(entry('in-2', T0 + 1), 2)).toBe('stored');
				expect(await store.inboxPut(entry('in-3', T0 + 2), 2)).toBe('full');
				const { claimed, dropped } = await store.inboxClaimExpired(
					bot.appid,
					owner,
					'z',
					T0 + 9 * MINUTE,
					10,
					T0 + 2 * MINUTE,
					T0 + 1,
				);
				expect(dropped).toBe(1);
				expect(claimed.map((taken) => taken.id)).toEqual(['in-2']);
				expect(await store.inboxPut(entry('in-3', T0 + 2), 2)).toBe('stored');
			});

			it('keeps an upload’s bytes unchanged and leaves them out of the list', async () => {
				const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
				const upload = {
					file_index: 'C:\\WeHub\\img_9f2c.jpg',
					file_name: 'img_9f2c.jpg',
					mime_type: 'image/jpeg',
					data,
				};
				await store.inboxPut({ ...entry('in-up', T0), upload }, 100);
				expect((await store.inboxList(bot.appid))[0].upload).toEqual({
					...upload,
					data: Buffer.alloc(0),
				});
				const { claimed } = await store.inboxClaimExpired(
					bot.appid,
					owner,
					'z',
					T0 + 9 * MINUTE,
					10,
					T0 + 2 * MINUTE,
				);
				expect(claimed[0].upload?.data.equals(data)).toBe(true);
			});
		});

		it('queues and hands out across bots and task types end to end', async () => {
			await store.enqueue(bot, reportRoomMembers);
			const result = await store.poll(bot, T0);
			expect(result.task?.task).toEqual(reportRoomMembers);
			expect((await store.complete(bot.appid, result.task!.task_id, true, '', T0))?.state).toBe(
				'done',
			);
		});
	});
}

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

function withoutPosition<T extends { position: number }>(value: T): Omit<T, 'position'> {
	const { position: _position, ...rest } = value;
	return rest;
}

function friendRequest(receivedAt: number) {
	return {
		appid: bot.appid,
		bot_wxid: bot.wxid,
		requester_wxid: 'wxid_requester_77',
		v1: 'v1_b2d6e8a1c7f3@stranger',
		v2: 'v2_4f09c1aa7d2e@stranger',
		notice_word: '我是张三',
		nickname: '张三',
		received_at: receivedAt,
	};
}

function media(id: string, expiresAt: number) {
	return {
		id,
		appid: bot.appid,
		mime_type: 'image/png',
		file_name: 'poster.png',
		data: Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256)),
		created_at: T0,
		expires_at: expiresAt,
	};
}
