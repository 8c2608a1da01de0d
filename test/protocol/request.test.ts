import {
	KNOWN_ACTIONS,
	MAX_MESSAGE_UNITS,
	MAX_SKIPPED_LISTED,
	parseRequest,
	type WeHubRequest,
} from '../../nodes/WeHub/protocol';
import { BOT_WXID, fixtureNames, readFixture } from './fixtures';

function parseOk(body: string | Buffer): WeHubRequest {
	const result = parseRequest(body);
	if (!result.ok) throw new Error(`expected a request, got: ${result.error.reason}`);
	return result.request;
}

function parseError(body: string | Buffer) {
	const result = parseRequest(body);
	if (result.ok) throw new Error(`expected an error, got action ${result.request.action}`);
	return result.error;
}

describe('parseRequest on the request fixtures', () => {
	it.each(fixtureNames('requests'))('%s parses with the action named in the body', (name) => {
		const body = readFixture('requests', name);
		const json = JSON.parse(body.toString('utf8'));
		const request = parseOk(body);
		expect(request.action).toBe(json.action);
		expect(request.appid).toBe(json.appid);
		expect(request.wxid).toBe(json.wxid);
		expect(request.known).toBe((KNOWN_ACTIONS as readonly string[]).includes(json.action));
		expect(typeof request.data).toBe('object');
	});

	it('covers every known action with at least one fixture', () => {
		const actions = new Set(
			fixtureNames('requests').map(
				(name) => JSON.parse(readFixture('requests', name).toString('utf8')).action,
			),
		);
		expect(KNOWN_ACTIONS.filter((action) => !actions.has(action))).toEqual([]);
	});
});

describe('parseRequest envelope rules', () => {
	it('accepts a string body and a Buffer body alike, with a byte order mark', () => {
		const body = '\uFEFF{"action":"pull_task","appid":"a1","wxid":"w1","data":{}}';
		expect(parseOk(body)).toEqual(parseOk(Buffer.from(body, 'utf8')));
		expect(parseOk(body)).toEqual({
			action: 'pull_task',
			appid: 'a1',
			wxid: 'w1',
			data: {},
			known: true,
		});
	});

	it('keeps client_session (0.4.26) on the request', () => {
		const request = parseOk(readFixture('requests', 'login.0.4.26.nonce.json'));
		expect(request.client_session).toBe('sess-7d1e0c');
	});

	it('reads a missing data as {} for pull_task and logout only', () => {
		expect(parseOk('{"action":"pull_task","appid":"a","wxid":"w"}').data).toEqual({});
		expect(parseOk(readFixture('requests', 'logout.no_data.json')).data).toEqual({});
		expect(parseError('{"action":"login","appid":"a","wxid":"w"}').reason).toBe(
			'Field "data" is missing',
		);
	});

	it('treats unknown actions as requests, not errors, with their data untouched', () => {
		const request = parseOk(readFixture('requests', 'unknown_action.report_qrcode.json'));
		expect(request).toMatchObject({
			action: 'report_login_qrcode',
			known: false,
			data: { qr_url: 'http://weixin.qq.com/x/Abc123' },
		});
		expect(parseOk('{"action":"future_thing","appid":"a","wxid":"w"}').data).toEqual({});
	});

	it('gives report_new_msg its units however they arrived', () => {
		for (const [name, count] of [
			['report_new_msg.text.private.json', 1],
			['report_new_msg.msg_list.json', 2],
			['report_new_msg.unit_in_data.json', 1],
		] as const) {
			const request = parseOk(readFixture('requests', name));
			if (!request.known || request.action !== 'report_new_msg') throw new Error('wrong action');
			expect(request.units).toHaveLength(count);
		}
	});

	it('reads report_task_result leniently: "0"/"1" strings, booleans and numeric task ids', () => {
		const failed = parseOk(readFixture('requests', 'report_task_result.failure_as_string.json'));
		expect(failed.data).toEqual({
			task_id: 't_01HZX3K9D3',
			task_result: 0,
			error_reason: '对方不是你的好友',
		});
		const body = (result: unknown, id: unknown = 't1') =>
			JSON.stringify({
				action: 'report_task_result',
				appid: 'a',
				wxid: 'w',
				data: { task_id: id, task_result: result },
			});
		expect(parseOk(body('1')).data).toMatchObject({ task_result: 1 });
		expect(parseOk(body(true)).data).toMatchObject({ task_result: 1 });
		expect(parseOk(body(false)).data).toMatchObject({ task_result: 0 });
		expect(parseOk(body(1, 42)).data).toMatchObject({ task_id: '42' });
		expect(parseError(body(2)).reason).toBe(
			'Field "data.task_result" must be 1 (success) or 0 (failure)',
		);
	});

	it('defaults missing contact lists to empty lists and reads null optional fields as absent', () => {
		const request = parseOk(
			JSON.stringify({
				action: 'report_contact',
				appid: 'a',
				wxid: 'w',
				data: { friend_list: [{ wxid: 'wxid_x', nickname: null }] },
			}),
		);
		expect(request.data).toEqual({
			friend_list: [{ wxid: 'wxid_x', nickname: null }],
			group_list: [],
		});
		const login = parseOk('{"action":"login","appid":"a","wxid":"w","data":{"nonce":null}}');
		expect(login.data).toEqual({});
	});

	it('reads numeric strings in message units as numbers', () => {
		const request = parseOk(
			JSON.stringify({
				action: 'report_new_msg',
				appid: 'a',
				wxid: BOT_WXID,
				data: { msg: { msg_type: '4902', paysubtype: '1', msg_timestamp: null, msg_id: 77 } },
			}),
		);
		expect(request.data).toEqual({ msg: { msg_type: 4902, paysubtype: 1, msg_id: '77' } });
	});
});

describe('parseRequest is liberal in what it accepts', () => {
	const envelope = (action: string, data: unknown, extra: object = {}) =>
		JSON.stringify({ action, appid: 'wh_appid_3f9c2a', wxid: BOT_WXID, data, ...extra });

	it('skips a malformed friend, leaves the list otherwise as sent and names the entry', () => {
		const request = parseOk(readFixture('requests', 'report_contact.friend_without_wxid.json'));
		expect(request.known && request.skipped).toEqual([
			{ list: 'friend_list', index: 1, reason: '"wxid" must be a non-empty string' },
		]);
		expect(
			(request.data as { friend_list: Array<{ wxid: string }> }).friend_list.map((f) => f.wxid),
		).toEqual(['wxid_alice6a8kd2', 'fangqing_hust']);
		expect(request).not.toHaveProperty('flags');
	});

	it.each([
		['group_list', 'report_contact', { friend_list: [], group_list: [{ name: '无名群' }] }],
		['public_list', 'report_contact', { public_list: [null] }],
		['update_list', 'report_contact_update', { update_list: [42, { wxid: 'wxid_x' }] }],
		['memberInfo_list', 'report_new_room', { wxid: '1@chatroom', memberInfo_list: ['x'] }],
		[
			'wxid_list',
			'report_room_member_change',
			{ room_wxid: '1@chatroom', wxid_list: [''], flag: 1 },
		],
		[
			'room_data_list',
			'report_room_member_info',
			{ room_data_list: [{ room_wxid: '1@chatroom', memberInfo_list: 'x' }] },
		],
	])('skips a bad entry of %s instead of refusing the report', (list, action, data) => {
		const request = parseOk(envelope(action, data));
		expect(request.known && request.skipped).toEqual([
			{ list, index: 0, reason: expect.any(String) },
		]);
	});

	it('lists at most 100 skipped entries', () => {
		const friend_list = Array.from({ length: 5_000 }, (_, i) => (i % 2 ? { wxid: `w${i}` } : {}));
		const request = parseOk(envelope('report_contact', { friend_list }));
		expect(request.known && request.skipped).toHaveLength(MAX_SKIPPED_LISTED);
		expect((request.data as { friend_list: unknown[] }).friend_list).toHaveLength(2_500);
	});

	it('skips an unreadable unit of a msg_list, and refuses one whose every unit is unreadable', () => {
		const request = parseOk(
			envelope('report_new_msg', {
				msg_list: [{ msg_type: 1, msg: 'ok' }, 'junk', { msg_type: 1 }],
			}),
		);
		if (!request.known || request.action !== 'report_new_msg') throw new Error('wrong action');
		expect(request.units).toEqual([{ msg_type: 1, msg: 'ok' }]);
		expect(request.skipped).toEqual([
			{ list: 'msg_list', index: 1, reason: 'message unit 1 is not an object' },
			{
				list: 'msg_list',
				index: 2,
				reason: 'message unit 2: a text message needs "msg" as a string',
			},
		]);
		expect(parseError(envelope('report_new_msg', { msg_list: ['junk'] })).reason).toBe(
			'report_new_msg has no readable message unit (message unit 0 is not an object)',
		);
	});

	it('reads ids sent as numbers as strings, as it does msg_id', () => {
		const request = parseOk(readFixture('requests', 'report_new_msg.transfer.numeric_ids.json'));
		if (!request.known || request.action !== 'report_new_msg') throw new Error('wrong action');
		expect(request.units[0]).toMatchObject({
			transferid: '1000050001202311',
			file_index: '3053020100044',
			msg_id: '7318826105471',
		});
	});

	it.each([
		['report_room_member_change.no_flag.json', ['flag_missing'], {}],
		['report_room_member_change.flag_text.json', ['flag_not_a_number'], { flag: 'joined' }],
		['report_friend_add_request.no_v2.json', ['v2_missing'], { v2: '' }],
		['report_new_friend.wxid.json', ['wxid_instead_of_fans_wxid'], { fans_wxid: 'wxid_newfan88x' }],
	])('accepts %s and flags it', (name, flags, data) => {
		const request = parseOk(readFixture('requests', name));
		expect(request.known && request.flags).toEqual(flags);
		expect(request.data).toMatchObject(data);
		expect(request).not.toHaveProperty('skipped');
	});

	it('accepts a friend request without any v2 field, as v2 ""', () => {
		const request = parseOk(envelope('report_friend_add_request', { v1: 'v1_x@stranger' }));
		expect(request.data).toMatchObject({ v2: '' });
		expect(request.known && request.flags).toEqual(['v2_missing']);
	});
});

describe('parseRequest bounds', () => {
	const units = (count: number) =>
		JSON.stringify({
			action: 'report_new_msg',
			appid: 'a',
			wxid: BOT_WXID,
			data: { msg_list: Array.from({ length: count }, () => ({ msg_type: 1, msg: 'ping' })) },
		});

	it(`accepts ${MAX_MESSAGE_UNITS} message units in one callback`, () => {
		const request = parseOk(units(MAX_MESSAGE_UNITS));
		expect(request.known && request.action === 'report_new_msg' && request.units).toHaveLength(
			MAX_MESSAGE_UNITS,
		);
	});

	it('refuses 100,000 units with error 413 in well under a second', () => {
		const body = units(100_000);
		const started = Date.now();
		const error = parseError(body);
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(error).toMatchObject({
			httpStatus: 413,
			action: 'report_new_msg',
			reason:
				'report_new_msg carries 100000 message units; at most 100 are accepted in one callback ' +
				'(WeHub sends one message per callback)',
		});
	});

	it('refuses an action name longer than 256 bytes', () => {
		const error = parseError(JSON.stringify({ action: 'a'.repeat(300), appid: 'a', wxid: 'w' }));
		expect(error.reason).toBe('Field "action" is longer than 256 bytes');
	});

	it('keeps what a refused body says about its client version', () => {
		const withVersion = parseError(
			JSON.stringify({
				action: 'logout',
				appid: 'a',
				wxid: 'a'.repeat(300),
				data: { client_version: '0.4.26' },
			}),
		);
		expect(withVersion).toMatchObject({ clientVersion: '0.4.26' });
		const later = parseError(
			JSON.stringify({
				action: 'report_task_result',
				appid: 'a',
				wxid: 'w',
				client_session: 's',
				data: {},
			}),
		);
		expect(later).toMatchObject({ laterClient: 'client_session' });
		expect(parseError(readFixture('bad', 'report_task_result.bad_result.json'))).not.toHaveProperty(
			'laterClient',
		);
	});
});

describe('parseRequest on malformed bodies', () => {
	const expected: Record<string, { reason: string | RegExp; action?: string }> = {
		'not_json.txt': { reason: /^Body is not valid JSON/ },
		'truncated.txt': { reason: /^Body is not valid JSON/ },
		'array.json': { reason: 'Body must be a JSON object, got an array' },
		'null.json': { reason: 'Body must be a JSON object, got null' },
		'string.json': { reason: 'Body must be a JSON object, got string' },
		'missing_action.json': { reason: 'Field "action" must be a non-empty string' },
		'action_number.json': { reason: 'Field "action" must be a non-empty string' },
		'missing_appid.json': {
			reason: 'Field "appid" must be a non-empty string',
			action: 'pull_task',
		},
		'wxid_number.json': { reason: 'Field "wxid" must be a non-empty string', action: 'pull_task' },
		'data_array.json': { reason: 'Field "data" must be an object', action: 'report_contact' },
		'data_missing.report_new_msg.json': {
			reason: 'Field "data" is missing',
			action: 'report_new_msg',
		},
		'proto_key.json': { reason: 'Body contains the forbidden key "__proto__"' },
		'proto_key_escaped.json': { reason: 'Body contains the forbidden key "__proto__"' },
		'constructor_key.json': { reason: 'Body contains the forbidden key "prototype"' },
		'report_new_msg.no_unit.json': {
			reason: 'report_new_msg needs a message unit in "data.msg" (or "data.msg_list")',
			action: 'report_new_msg',
		},
		'report_new_msg.text_not_string.json': {
			reason: 'message unit 0: a text message needs "msg" as a string',
			action: 'report_new_msg',
		},
		'report_new_msg.msg_type_text.json': {
			reason: 'Field "message unit 0.msg_type" must be a number',
			action: 'report_new_msg',
		},
		'report_task_result.bad_result.json': {
			reason: 'Field "data.task_result" must be 1 (success) or 0 (failure)',
			action: 'report_task_result',
		},
		'report_task_result.no_task_id.json': {
			reason: 'Field "data.task_id" must be a non-empty string',
			action: 'report_task_result',
		},
		'login.nonce_number.json': { reason: 'Field "data.nonce" must be a string', action: 'login' },
	};
	const malformed = fixtureNames('bad').filter((name) => !name.startsWith('raw_msg.'));

	it('has an expectation for every malformed fixture', () => {
		expect(malformed.filter((name) => !(name in expected))).toEqual([]);
	});

	it.each(malformed)('%s is answered 400 with a reason', (name) => {
		const error = parseError(readFixture('bad', name));
		const want = expected[name];
		if (typeof want.reason === 'string') expect(error.reason).toBe(want.reason);
		else expect(error.reason).toMatch(want.reason);
		expect(error.httpStatus).toBe(400);
		expect(error.action).toBe(want.action);
	});

	it('refuses empty bodies and non-text input', () => {
		expect(parseError('').reason).toBe('Body is empty');
		expect(parseError(Buffer.from('  \n')).reason).toBe('Body is empty');
		expect(parseError(42 as unknown as string).reason).toBe('Body is neither text nor bytes');
	});

	it('keeps appid and wxid on the error when they were readable', () => {
		const error = parseError(readFixture('bad', 'report_task_result.bad_result.json'));
		expect(error).toMatchObject({ appid: 'wh_appid_3f9c2a', wxid: BOT_WXID });
	});

	it('never lets a body pollute Object.prototype', () => {
		for (const name of ['proto_key.json', 'constructor_key.json', 'proto_key_escaped.json']) {
			parseRequest(readFixture('bad', name));
		}
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('still parses bodies whose text merely mentions "constructor"', () => {
		const body = JSON.stringify({
			action: 'report_new_msg',
			appid: 'a',
			wxid: 'w',
			data: { msg: { msg_type: 1, msg: 'the constructor of prototype \u0041' } },
		});
		expect(parseOk(body).action).toBe('report_new_msg');
	});
});
