import { sendMessageTask, textUnit } from '../../nodes/WeHub/protocol/tasks';
import { handleCallback } from '../../nodes/WeHub/trigger/handleCallback';
import { ALICE_WXID, BOT_WXID, fixtureNames, readFixture, ROOM_WXID } from '../protocol/fixtures';
import { APPID, body, context, NOW, StoreFixture, type Backend } from './harness';

const sendText = (text: string) => sendMessageTask(ALICE_WXID, [textUnit(text)]);

/** Every known action as its fixture, and the item event it emits (null = bookkeeping only). */
const ACTIONS: Array<[fixture: string, action: string, event: string | null]> = [
	['login.0.1.5.json', 'login', 'login'],
	['logout.0.1.5.json', 'logout', 'logout'],
	['report_contact.json', 'report_contact', 'contacts'],
	['report_contact_update.json', 'report_contact_update', 'contact_update'],
	['report_new_friend.json', 'report_new_friend', 'new_friend'],
	['report_friend_add_request.json', 'report_friend_add_request', 'friend_request'],
	['report_friend_removed.json', 'report_friend_removed', 'friend_removed'],
	['report_new_msg.text.private.json', 'report_new_msg', 'message'],
	['report_room_member_info.json', 'report_room_member_info', 'room_members'],
	['report_room_member_change.joined.json', 'report_room_member_change', 'room_member_change'],
	['report_new_room.json', 'report_new_room', 'new_room'],
	['report_room_removed.json', 'report_room_removed', 'room_removed'],
	['pull_task.json', 'pull_task', null],
	['report_task_result.success.json', 'report_task_result', 'task_result'],
	['report_zoom_check_status.json', 'report_zoom_check_status', 'zombie_check'],
	['report_user_info.json', 'report_user_info', 'user_info'],
	['unknown_action.report_qrcode.json', 'report_login_qrcode', 'unknown_action'],
];

/** Only these keep their own ack type on 0.2.0+ clients. */
const OWN_ACK = new Set(['login', 'logout', 'pull_task']);
/** The 0.1.5 document answers these with `data.reply_task_list` ("empty when no task"). */
const REPLY_TASK_LIST = new Set(['report_new_msg', 'report_new_friend']);

describe.each<Backend>(['embedded', 'redis'])('handleCallback with the %s store', (backend) => {
	const fixture = new StoreFixture(backend);
	beforeAll(async () => await fixture.start());
	afterAll(async () => await fixture.stop());
	beforeEach(() => fixture.fresh());

	/** Records a login of the bot so the store knows its client version, as after a real login. */
	async function botOnline(clientVersion: string) {
		const store = await fixture.store();
		await store.recordLogin(
			{ appid: APPID, wxid: BOT_WXID },
			{ client_version: clientVersion, nickname: '小助手' },
			NOW - 1000,
		);
	}

	describe.each(['0.1.5', '0.4.26'])('acks for a %s client', (version) => {
		it.each(ACTIONS)('%s is answered with the right ack', async (name, action, event) => {
			await botOnline(version);
			const raw = JSON.parse(readFixture('requests', name).toString('utf8'));
			// The fixture logins carry their own version: pin it to the one under test.
			if (action === 'login') raw.data.client_version = version;
			const outcome = await handleCallback(Buffer.from(JSON.stringify(raw)), context(fixture));

			expect(outcome.ack.error_code).toBe(0);
			expect(outcome.ack.error_reason).toBe('');
			const ownAck = OWN_ACK.has(action) || version === '0.1.5';
			expect(outcome.ack.ack_type).toBe(ownAck ? `${action}_ack` : 'common_ack');
			expect(outcome.ack.data).toEqual(
				action === 'report_task_result'
					? { task_id: raw.data.task_id }
					: version === '0.1.5' && REPLY_TASK_LIST.has(action)
						? { reply_task_list: [] }
						: {},
			);
			if (event === null) {
				expect(outcome.items).toEqual([]);
			} else {
				expect(outcome.items.length).toBeGreaterThan(0);
				for (const item of outcome.items) {
					expect(item).toMatchObject({
						appid: APPID,
						bot_wxid: raw.wxid,
						received_at: new Date(NOW).toISOString(),
					});
					expect([event, event.replace(/s$/, '')]).toContain(item.event);
				}
			}
		});

		it.each(ACTIONS.filter(([, , event]) => event !== null))(
			'%s is acked but starts nothing when its event is not selected',
			async (name, action) => {
				await botOnline(version);
				const events = action === 'report_new_msg' ? ['login'] : ['message'];
				const outcome = await handleCallback(
					readFixture('requests', name),
					context(fixture, { events }),
				);
				expect(outcome.ack.error_code).toBe(0);
				expect(outcome.items).toEqual([]);
			},
		);
	});

	describe('pull_task', () => {
		it('answers {} when nothing is queued and emits nothing', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'pull_task.json'),
				context(fixture),
			);
			expect(outcome).toEqual({
				ack: { error_code: 0, error_reason: '', ack_type: 'pull_task_ack', data: {} },
				items: [],
			});
		});

		it('hands out the oldest queued task once, with its task_id', async () => {
			const store = await fixture.store();
			const task = sendMessageTask(ALICE_WXID, [textUnit('你好')]);
			const queued = await store.enqueue({ appid: APPID, wxid: BOT_WXID }, task);

			const first = await handleCallback(
				readFixture('requests', 'pull_task.json'),
				context(fixture),
			);
			expect(first.ack.data).toEqual({ task_id: queued.task_id, task_data: task });
			expect(first.items).toEqual([]);
			const second = await handleCallback(
				readFixture('requests', 'pull_task.json'),
				context(fixture),
			);
			expect(second.ack.data).toEqual({});
			expect((await store.get(APPID, queued.task_id))?.state).toBe('handed_out');
		});
	});

	describe('login', () => {
		it('signs a login that carries a nonce (WeHub published example)', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'login.0.4.26.nonce.json'),
				context(fixture),
			);
			expect(outcome.ack).toEqual({
				error_code: 0,
				error_reason: '',
				ack_type: 'login_ack',
				data: { signature: '4B8D798F8B34A7BD2CD3B4CBFA309D9C' },
			});
			expect(outcome.items[0]).toMatchObject({
				event: 'login',
				nickname: '方青',
				client_version: '0.4.26',
				signed: true,
			});
			expect(outcome.items[0]).not.toHaveProperty('nonce');
		});

		it('records presence so later acks follow the client version', async () => {
			await handleCallback(readFixture('requests', 'login.0.4.26.nonce.json'), context(fixture));
			const store = await fixture.store();
			expect(await store.getBot({ appid: APPID, wxid: 'fangqing_hust' })).toMatchObject({
				online: true,
				client_version: '0.4.26',
				nickname: '方青',
			});
			const outcome = await handleCallback(
				body('report_friend_removed', 'fangqing_hust', { wxid_removed: ALICE_WXID }),
				context(fixture),
			);
			expect(outcome.ack.ack_type).toBe('common_ack');
		});

		it('refuses a nonce when the credential has no secret key, saying what to set', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'login.0.4.26.nonce.json'),
				context(fixture, {}, { secretKey: undefined }),
			);
			expect(outcome.ack.ack_type).toBe('login_ack');
			expect(outcome.ack.error_code).not.toBe(0);
			expect(outcome.ack.error_reason).toMatch(/secret key/);
			expect(outcome.ack.data).toEqual({});
			expect(outcome.items).toEqual([]);
		});

		it('refuses an account outside the allowed bots and does not record it', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'login.0.4.26.nonce.json'),
				context(fixture, {}, { allowedBots: [BOT_WXID] }),
			);
			expect(outcome.ack.error_code).not.toBe(0);
			expect(outcome.ack.error_reason).toContain('fangqing_hust');
			expect(outcome.items).toEqual([]);
			expect(
				await (await fixture.store()).getBot({ appid: APPID, wxid: 'fangqing_hust' }),
			).toBeNull();
		});

		it('accepts an allowed account without nonce (0.1.5) and answers an empty data', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'login.0.1.5.json'),
				context(
					fixture,
					{},
					{
						allowedBots: [JSON.parse(readFixture('requests', 'login.0.1.5.json').toString()).wxid],
					},
				),
			);
			expect(outcome.ack).toEqual({
				error_code: 0,
				error_reason: '',
				ack_type: 'login_ack',
				data: {},
			});
		});
	});

	describe('refused requests start nothing and still get a JSON ack', () => {
		it('answers a foreign appid with error_code 403 and the action’s ack type', async () => {
			const outcome = await handleCallback(
				body('report_new_msg', BOT_WXID, { msg: { msg_type: 1, msg: 'hi' } }, 'other_app'),
				context(fixture),
			);
			expect(outcome.ack).toMatchObject({
				error_code: 403,
				ack_type: 'report_new_msg_ack',
				data: { reply_task_list: [] },
			});
			expect(outcome.ack.error_reason).toContain('other_app');
			expect(outcome.items).toEqual([]);
		});

		const rejected = fixtureNames('bad').filter((name) => !name.startsWith('raw_msg.'));
		it.each(rejected)('malformed body %s gets a 4xx error_code and a reason', async (name) => {
			const outcome = await handleCallback(readFixture('bad', name), context(fixture));
			expect(outcome.ack.error_code).toBeGreaterThanOrEqual(400);
			expect(outcome.ack.error_code).toBeLessThan(500);
			expect(outcome.ack.error_reason).not.toBe('');
			expect(typeof outcome.ack.ack_type).toBe('string');
			const reply = outcome.ack.ack_type === 'report_new_msg_ack';
			expect(outcome.ack.data).toEqual(reply ? { reply_task_list: [] } : {});
			expect(outcome.items).toEqual([]);
		});

		it('keeps the ack type of a malformed request whose action is readable', async () => {
			const outcome = await handleCallback(
				readFixture('bad', 'report_task_result.no_task_id.json'),
				context(fixture),
			);
			expect(outcome.ack.ack_type).toBe('report_task_result_ack');
		});

		it.each(fixtureNames('bad').filter((name) => name.startsWith('raw_msg.')))(
			'hostile raw_msg %s is acked and its message emitted without parsed XML',
			async (name) => {
				const outcome = await handleCallback(readFixture('bad', name), context(fixture));
				expect(outcome.ack.error_code).toBe(0);
				for (const item of outcome.items) expect(item.xml).toBeNull();
			},
		);

		it('answers 503 when the store cannot be opened', async () => {
			const ctx = context(fixture);
			ctx.store = async () => {
				throw new Error('ECONNREFUSED 127.0.0.1:1');
			};
			const outcome = await handleCallback(readFixture('requests', 'pull_task.json'), ctx);
			expect(outcome.ack).toMatchObject({ error_code: 503, ack_type: 'pull_task_ack', data: {} });
			expect(outcome.ack.error_reason).toContain('ECONNREFUSED');
		});

		it('answers 500 when the store fails mid-request', async () => {
			const store = await fixture.store();
			const ctx = context(fixture);
			ctx.store = async () =>
				Object.assign(Object.create(store), {
					getBot: async () => {
						throw new Error('READONLY You can’t write against a read only replica');
					},
				});
			const outcome = await handleCallback(readFixture('requests', 'report_contact.json'), ctx);
			expect(outcome.ack.error_code).toBe(500);
			expect(outcome.items).toEqual([]);
		});
	});

	describe('report_task_result', () => {
		it('completes the task and emits it with type, target, content and reason', async () => {
			const store = await fixture.store();
			const bot = { appid: APPID, wxid: BOT_WXID };
			const task = sendMessageTask(ROOM_WXID, [textUnit('周报已发')]);
			const queued = await store.enqueue(bot, task, { meta: { workflow: 'weekly' } });
			await store.poll(bot, NOW);

			const outcome = await handleCallback(
				body('report_task_result', BOT_WXID, {
					task_id: queued.task_id,
					task_result: 0,
					error_reason: '不是群成员',
				}),
				context(fixture),
			);
			expect(outcome.ack.data).toEqual({ task_id: queued.task_id });
			expect(outcome.items).toEqual([
				expect.objectContaining({
					event: 'task_result',
					task_id: queued.task_id,
					success: false,
					error_reason: '不是群成员',
					known_task: true,
					task_type: 1,
					task_name: 'send_message',
					task_dict: task.task_dict,
					target: ROOM_WXID,
					state: 'failed',
					meta: { workflow: 'weekly' },
				}),
			]);
			expect((await store.get(APPID, queued.task_id))?.state).toBe('failed');
		});

		it('still acks and reports an unknown task id', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_task_result.success.json'),
				context(fixture),
			);
			expect(outcome.ack.error_code).toBe(0);
			expect(outcome.items[0]).toMatchObject({
				task_id: 't_01HZX3K9D2',
				success: true,
				known_task: false,
				task_type: null,
			});
		});
	});

	describe('report_friend_add_request', () => {
		it('remembers the request and emits the requester with v1/v2', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_friend_add_request.json'),
				context(fixture),
			);
			expect(outcome.items[0]).toMatchObject({
				event: 'friend_request',
				requester_wxid: 'wxid_newfan88x',
				v1: 'v1_0a9b8c7d6e5f@stranger',
				v2: 'v2_0123abcd@stranger',
				notice_word: '我是 n8n 群里的小王',
				nickname: '新朋友',
				wx_alias: 'newfan',
				sex: 1,
				city: 'Hangzhou',
				scene: 14,
				auto_accept_task_id: null,
			});
			const store = await fixture.store();
			expect(
				await store.getFriendRequest({ appid: APPID, wxid: BOT_WXID }, 'wxid_newfan88x'),
			).toMatchObject({ v1: 'v1_0a9b8c7d6e5f@stranger', v2: 'v2_0123abcd@stranger' });
			expect(await store.list({ appid: APPID, wxid: BOT_WXID })).toEqual([]);
		});

		it('queues a task 13 when auto-accept is on (the daily cap applies at hand-out)', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_friend_add_request.json'),
				context(fixture, { autoAcceptFriendRequests: true }),
			);
			const store = await fixture.store();
			const [queued] = await store.list({ appid: APPID, wxid: BOT_WXID }, 'queued');
			expect(queued.task).toEqual({
				task_type: 13,
				task_dict: { v1: 'v1_0a9b8c7d6e5f@stranger', v2: 'v2_0123abcd@stranger' },
			});
			expect(outcome.items[0].auto_accept_task_id).toBe(queued.task_id);
			expect(outcome.ack.data).toEqual({});
		});
	});

	describe('report_new_msg', () => {
		it('emits the normalised message flat, with reply_to the room', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_new_msg.text.room.mentions.json'),
				context(fixture),
			);
			expect(outcome.items).toEqual([
				expect.objectContaining({
					event: 'message',
					kind: 'text',
					chat: 'room',
					room_wxid: ROOM_WXID,
					from_wxid: ALICE_WXID,
					is_self: false,
					// WeChat separates mentions with U+2005, kept as sent.
					text: '@小助手\u2005@方青\u2005明天下午三点开会',
					mentions: [BOT_WXID, 'fangqing_hust'],
					reply_to: ROOM_WXID,
				}),
			]);
		});

		it('replies to the sender of a private message', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_new_msg.text.private.json'),
				context(fixture),
			);
			expect(outcome.items[0].chat).toBe('private');
			expect(outcome.items[0].reply_to).toBe(outcome.items[0].from_wxid);
		});

		it('remembers the file_index of media messages for the upload URL', async () => {
			const raw = JSON.parse(readFixture('requests', 'report_new_msg.image.room.json').toString());
			await handleCallback(
				readFixture('requests', 'report_new_msg.image.room.json'),
				context(fixture, { events: ['login'] }),
			);
			const store = await fixture.store();
			expect(await store.getFile(APPID, raw.data.msg.file_index)).toMatchObject({
				state: 'reported',
				kind: 'image',
				msg_type: 3,
				room_wxid: ROOM_WXID,
				from_wxid: ALICE_WXID,
				msg_id: '5566778899',
			});
		});

		it('drops the bot’s own messages by default and keeps them when asked', async () => {
			const own = readFixture('requests', 'report_new_msg.text.self.json');
			expect((await handleCallback(own, context(fixture))).items).toEqual([]);
			const ctx = context(fixture);
			ctx.options.messageFilter = { ...ctx.options.messageFilter, ignoreOwnMessages: false };
			expect((await handleCallback(own, ctx)).items).toEqual([
				expect.objectContaining({ is_self: true }),
			]);
		});

		it('emits one item per unit of a msg_list', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_new_msg.msg_list.json'),
				context(fixture),
			);
			const raw = JSON.parse(readFixture('requests', 'report_new_msg.msg_list.json').toString());
			const ownUnits = raw.data.msg_list.filter(
				(unit: { wxid_from?: string }) => unit.wxid_from === BOT_WXID,
			).length;
			expect(outcome.items).toHaveLength(raw.data.msg_list.length - ownUnits);
		});
	});

	describe('contacts and room members', () => {
		it('emits one summary item by default', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_contact.json'),
				context(fixture),
			);
			expect(outcome.items).toHaveLength(1);
			expect(outcome.items[0]).toMatchObject({ event: 'contacts', friend_count: 2, room_count: 1 });
		});

		it('splits into one item per friend, room and official account', async () => {
			const raw = JSON.parse(readFixture('requests', 'report_contact.json').toString());
			const outcome = await handleCallback(
				readFixture('requests', 'report_contact.json'),
				context(fixture, { splitContacts: 'contact' }),
			);
			const expected =
				raw.data.friend_list.length +
				raw.data.group_list.length +
				(raw.data.public_list?.length ?? 0);
			expect(outcome.items).toHaveLength(expected);
			expect(outcome.items[0]).toMatchObject({
				event: 'contact',
				contact_type: 'friend',
				wxid: ALICE_WXID,
				nickname: '爱丽丝',
			});
			expect(outcome.items.find((item) => item.contact_type === 'room')).toMatchObject({
				wxid: ROOM_WXID,
				name: 'n8n 用户交流群',
			});
		});

		it.each([
			['none', 1, 'room_members'],
			['room', 1, 'room_members'],
			['member', 3, 'room_member'],
		] as const)('room members split %s gives %i item(s) of %s', async (split, count, event) => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_room_member_info.json'),
				context(fixture, { splitRoomMembers: split }),
			);
			expect(outcome.items).toHaveLength(count);
			expect(outcome.items[0].event).toBe(event);
			if (split === 'member')
				expect(outcome.items[0]).toMatchObject({
					room_wxid: ROOM_WXID,
					wxid: ALICE_WXID,
					room_nickname: '群主 Alice',
				});
		});
	});

	describe('acks that match the client', () => {
		const unitWithId = { msg_type: 1, wxid_from: ALICE_WXID, msg: '在吗', msg_id: '7318826105' };

		it('answers 0.1.5 report_new_msg and report_new_friend with reply_task_list: [], as the seed prescribes', async () => {
			await botOnline('0.1.5');
			for (const name of ['report_new_msg.text.private.json', 'report_new_friend.json']) {
				const outcome = await handleCallback(readFixture('requests', name), context(fixture));
				expect(outcome.ack.data).toEqual({ reply_task_list: [] });
			}
		});

		it('answers common_ack to a bot the store never saw log in once its fields show 0.2+, and remembers it', async () => {
			const first = await handleCallback(
				body('report_new_msg', BOT_WXID, { msg: unitWithId }),
				context(fixture),
			);
			expect(first.ack).toEqual({
				error_code: 0,
				error_reason: '',
				ack_type: 'common_ack',
				data: {},
			});
			expect(await (await fixture.store()).getBot({ appid: APPID, wxid: BOT_WXID })).toMatchObject({
				online: true,
				min_client_version: '0.2.0',
			});
			// No 0.2-only field in this one: the remembered presence decides.
			const later = await handleCallback(
				body('report_friend_add_request', BOT_WXID, { v1: 'v1_x@stranger', v2: 'v2_y@stranger' }),
				context(fixture),
			);
			expect(later.ack.ack_type).toBe('common_ack');
		});

		it.each([
			['client_session', { action: 'report_contact', client_session: 'sess-1', data: {} }],
			['public_list', { action: 'report_contact', data: { public_list: [] } }],
			['a 0.3.8 action', { action: 'report_friend_removed', data: { wxid_removed: ALICE_WXID } }],
			[
				'msg_timestamp',
				{ action: 'report_new_msg', data: { msg: { msg_type: 3, msg_timestamp: 1 } } },
			],
		])('infers 0.2+ from %s', async (_label, fields) => {
			const outcome = await handleCallback(
				Buffer.from(JSON.stringify({ appid: APPID, wxid: BOT_WXID, ...fields })),
				context(fixture),
			);
			expect(outcome.ack.ack_type).toBe('common_ack');
		});

		it('keeps <action>_ack for a bot with none of those fields (0.1.5 or unknown)', async () => {
			const outcome = await handleCallback(
				body('report_new_msg', BOT_WXID, {
					msg: { msg_type: 1, wxid_from: ALICE_WXID, msg: 'hi' },
				}),
				context(fixture),
			);
			expect(outcome.ack).toMatchObject({
				ack_type: 'report_new_msg_ack',
				data: { reply_task_list: [] },
			});
			expect(await (await fixture.store()).getBot({ appid: APPID, wxid: BOT_WXID })).toBeNull();
		});

		it('does not give presence to a wxid Allowed Bots refuses, whatever its fields', async () => {
			const outcome = await handleCallback(
				body('report_new_msg', 'wxid_stranger_1', { msg: unitWithId }),
				context(fixture, {}, { allowedBots: [BOT_WXID] }),
			);
			expect(outcome.ack.ack_type).toBe('common_ack');
			expect(await (await fixture.store()).listBots(APPID)).toEqual([]);
		});

		describe.each([
			[
				'a wrong appid',
				() => body('report_new_msg', BOT_WXID, { msg: { msg_type: 1, msg: 'hi' } }, 'other_app'),
				403,
			],
			['a malformed body', () => body('report_task_result', BOT_WXID, { task_result: 1 }), 400],
			[
				'too many message units',
				() =>
					body('report_new_msg', BOT_WXID, {
						msg_list: Array.from({ length: 101 }, () => ({ msg_type: 1, msg: 'x' })),
					}),
				413,
			],
		])('refusing %s', (_label, request, code) => {
			it('uses the version of a known 0.4.26 bot', async () => {
				await botOnline('0.4.26');
				const outcome = await handleCallback(request(), context(fixture));
				expect(outcome.ack).toMatchObject({ error_code: code, ack_type: 'common_ack' });
				expect(outcome.items).toEqual([]);
			});

			it('uses <action>_ack for a known 0.1.5 bot', async () => {
				await botOnline('0.1.5');
				const outcome = await handleCallback(request(), context(fixture));
				expect(outcome.ack.error_code).toBe(code);
				expect(outcome.ack.ack_type).toMatch(/^report_\w+_ack$/);
			});
		});

		it('refuses with common_ack when the refused body itself shows a 0.2+ client', async () => {
			const outcome = await handleCallback(
				Buffer.from(
					JSON.stringify({
						action: 'report_task_result',
						appid: APPID,
						wxid: BOT_WXID,
						client_session: 'sess-9',
						data: { task_result: 1 },
					}),
				),
				context(fixture),
			);
			expect(outcome.ack).toMatchObject({ error_code: 400, ack_type: 'common_ack' });
		});

		it('answers an unknown action with a megabyte name in a short answer', async () => {
			await botOnline('0.1.5');
			for (const action of ['x'.repeat(1024 * 1024), `report_${'y'.repeat(200)}`]) {
				const outcome = await handleCallback(body(action, BOT_WXID, {}), context(fixture));
				expect(JSON.stringify(outcome.ack).length).toBeLessThan(600);
				expect(outcome.ack.ack_type.length).toBeLessThanOrEqual(64 + '_ack'.length);
			}
		});
	});

	describe('WeCom rooms (@im.chatroom) and people (@openim)', () => {
		it('takes a message to a WeCom room for a room message and replies in the room', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_new_msg.text.wecom_room.json'),
				context(fixture),
			);
			expect(outcome.items).toEqual([
				expect.objectContaining({
					chat: 'room',
					room_wxid: '10696052955016166@im.chatroom',
					from_wxid: 'wangwei@openim',
					reply_to: '10696052955016166@im.chatroom',
					wecom: true,
				}),
			]);
		});

		it('keeps a WeCom person’s message private and replies to the person', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_new_msg.text.wecom_private.json'),
				context(fixture),
			);
			expect(outcome.items[0]).toMatchObject({
				chat: 'private',
				room_wxid: null,
				reply_to: 'wangwei@openim',
				wecom: true,
			});
		});

		it('applies the Rooms filter and "rooms only" to WeCom rooms', async () => {
			const ctx = context(fixture);
			ctx.options.messageFilter = {
				...ctx.options.messageFilter,
				chat: 'room',
				rooms: ['10696052955016166@im.chatroom'],
			};
			const room = await handleCallback(
				readFixture('requests', 'report_new_msg.text.wecom_room.json'),
				ctx,
			);
			const person = await handleCallback(
				readFixture('requests', 'report_new_msg.text.wecom_private.json'),
				ctx,
			);
			expect([room.items.length, person.items.length]).toEqual([1, 0]);
		});

		it('files a WeCom room of a contact update as a room', async () => {
			const outcome = await handleCallback(
				body('report_contact_update', BOT_WXID, {
					update_list: [
						{ wxid: '10696052955016166@im.chatroom', name: '合作伙伴群' },
						{ wxid: 'wangwei@openim', nickname: '王伟' },
					],
				}),
				context(fixture, { splitContacts: 'contact' }),
			);
			expect(outcome.items.map((item) => item.contact_type)).toEqual(['room', 'friend']);
		});

		it('remembers the WeCom room of an image, so its upload replies in the room', async () => {
			await handleCallback(
				body('report_new_msg', BOT_WXID, {
					msg: {
						msg_type: 3,
						wxid_from: 'wangwei@openim',
						wxid_to: '10696052955016166@im.chatroom',
						file_index: 'wecom-img-1',
					},
				}),
				context(fixture),
			);
			expect(await (await fixture.store()).getFile(APPID, 'wecom-img-1')).toMatchObject({
				room_wxid: '10696052955016166@im.chatroom',
			});
		});
	});

	describe('liberal in what it accepts', () => {
		it('skips one friend with an empty wxid, keeps the others and says so on the item', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_contact.friend_without_wxid.json'),
				context(fixture),
			);
			expect(outcome.ack.error_code).toBe(0);
			expect(outcome.items).toHaveLength(1);
			expect(outcome.items[0]).toMatchObject({
				event: 'contacts',
				friend_count: 2,
				skipped: [{ list: 'friend_list', index: 1, reason: '"wxid" must be a non-empty string' }],
			});
			expect((outcome.items[0].friend_list as Array<{ wxid: string }>).map((f) => f.wxid)).toEqual([
				ALICE_WXID,
				'fangqing_hust',
			]);
		});

		it('puts the skipped entries on the first item when contacts are split', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_contact.friend_without_wxid.json'),
				context(fixture, { splitContacts: 'contact' }),
			);
			expect(outcome.items.map((item) => item.wxid)).toEqual([
				ALICE_WXID,
				'fangqing_hust',
				ROOM_WXID,
			]);
			expect(outcome.items[0].skipped).toEqual([expect.objectContaining({ index: 1 })]);
			expect(outcome.items[1]).not.toHaveProperty('skipped');
		});

		it('still says what was skipped when every entry of a split report was', async () => {
			const outcome = await handleCallback(
				body('report_contact', BOT_WXID, { friend_list: [{ wxid: '' }, 'junk'], group_list: [] }),
				context(fixture, { splitContacts: 'contact' }),
			);
			expect(outcome.items).toEqual([
				expect.objectContaining({
					event: 'contacts',
					friend_count: 0,
					skipped: [
						expect.objectContaining({ list: 'friend_list', index: 0 }),
						{ list: 'friend_list', index: 1, reason: 'not an object' },
					],
				}),
			]);
		});

		it('skips a member without wxid and a room without room_wxid of a room member report', async () => {
			const outcome = await handleCallback(
				body('report_room_member_info', BOT_WXID, {
					room_data_list: [
						{
							room_wxid: ROOM_WXID,
							memberInfo_list: [{ wxid: ALICE_WXID }, { nickname: '无名' }, { wxid: BOT_WXID }],
						},
						{ memberInfo_list: [] },
					],
				}),
				context(fixture, { splitRoomMembers: 'member' }),
			);
			expect(outcome.items.map((item) => item.wxid)).toEqual([ALICE_WXID, BOT_WXID]);
			expect(outcome.items[0].skipped).toEqual([
				{ list: 'room_data_list[0].memberInfo_list', index: 1, reason: expect.any(String) },
				{ list: 'room_data_list', index: 1, reason: '"room_wxid" must be a non-empty string' },
			]);
		});

		it('skips an unreadable unit of a msg_list and emits the others', async () => {
			const outcome = await handleCallback(
				body('report_new_msg', BOT_WXID, {
					msg_list: [
						{ msg_type: 1, wxid_from: ALICE_WXID, msg: '第一条' },
						{ msg_type: 'text', wxid_from: ALICE_WXID, msg: '坏的' },
						{ msg_type: 1, wxid_from: ALICE_WXID, msg: '第三条' },
					],
				}),
				context(fixture),
			);
			expect(outcome.ack.error_code).toBe(0);
			expect(outcome.items.map((item) => item.text)).toEqual(['第一条', '第三条']);
			expect(outcome.items[0].skipped).toEqual([
				{ list: 'msg_list', index: 1, reason: 'Field "message unit 1.msg_type" must be a number' },
			]);
		});

		it('reads transferid, file_index and msg_id sent as numbers as strings', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_new_msg.transfer.numeric_ids.json'),
				context(fixture),
			);
			expect(outcome.items[0]).toMatchObject({
				file_index: '3053020100044',
				msg_id: '7318826105471',
				details: { transfer_id: '1000050001202311', acceptable_by_bot: true },
			});
			expect(await (await fixture.store()).getFile(APPID, '3053020100044')).toMatchObject({
				kind: 'transfer',
			});
		});

		it('accepts a room member change without flag as change "unknown", flagged', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_room_member_change.no_flag.json'),
				context(fixture),
			);
			expect(outcome.ack.error_code).toBe(0);
			expect(outcome.items[0]).toMatchObject({
				event: 'room_member_change',
				change: 'unknown',
				member_wxids: ['wxid_newfan88x'],
				flags: ['flag_missing'],
			});
		});

		it('accepts a friend request with an empty v2, flagged, and does not auto-accept it', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_friend_add_request.no_v2.json'),
				context(fixture, { autoAcceptFriendRequests: true }),
			);
			expect(outcome.ack.error_code).toBe(0);
			expect(outcome.items[0]).toMatchObject({
				event: 'friend_request',
				requester_wxid: 'wxid_newfan88x',
				v2: '',
				auto_accept_task_id: null,
				flags: ['v2_missing'],
			});
			expect(await (await fixture.store()).list({ appid: APPID, wxid: BOT_WXID })).toEqual([]);
		});

		it('accepts a new friend named in wxid instead of fans_wxid, flagged', async () => {
			const outcome = await handleCallback(
				readFixture('requests', 'report_new_friend.wxid.json'),
				context(fixture),
			);
			expect(outcome.items[0]).toMatchObject({
				event: 'new_friend',
				friend_wxid: 'wxid_newfan88x',
				reply_to: 'wxid_newfan88x',
				flags: ['wxid_instead_of_fans_wxid'],
			});
		});
	});

	describe('bounded work per callback', () => {
		const fileUnits = (count: number) =>
			Array.from({ length: count }, (_, i) => ({
				msg_type: 3,
				wxid_from: ALICE_WXID,
				wxid_to: BOT_WXID,
				file_index: `3053020100044c30${i.toString(16).padStart(6, '0')}`,
			}));

		it('refuses a report_new_msg of more than 100 units at once, recording none of them', async () => {
			const outcome = await handleCallback(
				body('report_new_msg', BOT_WXID, { msg_list: fileUnits(101) }),
				context(fixture),
			);
			expect(outcome.ack).toMatchObject({
				error_code: 413,
				error_reason: expect.stringContaining('at most 100'),
			});
			expect(outcome.items).toEqual([]);
			expect(await (await fixture.store()).getFile(APPID, fileUnits(1)[0].file_index)).toBeNull();
		});

		it('writes the files of one callback to the store at once', async () => {
			const store = await fixture.store();
			const calls: string[] = [];
			const ctx = context(fixture);
			ctx.store = async () =>
				Object.assign(Object.create(store), {
					rememberFile: async (...args: Parameters<typeof store.rememberFile>) => {
						calls.push('rememberFile');
						return await store.rememberFile(...args);
					},
					rememberFiles: async (...args: Parameters<typeof store.rememberFiles>) => {
						calls.push('rememberFiles');
						return await store.rememberFiles(...args);
					},
				});
			const outcome = await handleCallback(
				body('report_new_msg', BOT_WXID, { msg_list: fileUnits(100) }),
				ctx,
			);
			expect(outcome.items).toHaveLength(100);
			expect(calls).toEqual(['rememberFiles']);
			expect(await store.getFile(APPID, fileUnits(100)[99].file_index)).toMatchObject({
				state: 'reported',
			});
		});
	});

	describe('presence from pull_task', () => {
		it('gives a wxid Allowed Bots refuses no presence and no task', async () => {
			const store = await fixture.store();
			const stranger = { appid: APPID, wxid: 'wxid_random_7f3a' };
			const queued = await store.enqueue(stranger, sendText('不该发出'));
			const ctx = context(fixture, {}, { allowedBots: [BOT_WXID] });
			for (let i = 0; i < 20; i++) {
				const outcome = await handleCallback(body('pull_task', `wxid_random_${i}`, {}), ctx);
				expect(outcome.ack).toMatchObject({ error_code: 403, ack_type: 'pull_task_ack', data: {} });
			}
			const refused = await handleCallback(body('pull_task', stranger.wxid, {}), ctx);
			expect(refused.ack.data).toEqual({});
			expect(await store.listBots(APPID)).toEqual([]);
			expect((await store.get(APPID, queued.task_id))?.state).toBe('queued');
		});

		it('still hands out the tasks of an allowed bot that never logged in here', async () => {
			const store = await fixture.store();
			const queued = await store.enqueue({ appid: APPID, wxid: BOT_WXID }, sendText('你好'));
			const outcome = await handleCallback(
				body('pull_task', BOT_WXID, {}),
				context(fixture, {}, { allowedBots: [BOT_WXID] }),
			);
			expect(outcome.ack.data).toMatchObject({ task_id: queued.task_id });
			expect(await store.getBot({ appid: APPID, wxid: BOT_WXID })).toMatchObject({
				online: true,
				last_poll_at: NOW,
			});
		});
	});
});
