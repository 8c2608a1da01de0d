import {
	checkAck,
	checkExtensionProtocol,
	checkTask,
	checkUploadAck,
} from '../../sim/ackValidation';

const ok = (ackType: string, data: unknown = {}) =>
	JSON.stringify({ error_code: 0, error_reason: '', ack_type: ackType, data });

describe('checkAck', () => {
	it('accepts the documented answers', () => {
		expect(checkAck('login', '0.4.26', 200, ok('login_ack', { signature: 'AB' }))).toMatchObject({
			ok: true,
			problems: [],
		});
		expect(
			checkAck('report_new_msg', '0.1.5', 200, ok('report_new_msg_ack', { reply_task_list: [] })),
		).toMatchObject({ ok: true, problems: [] });
		expect(checkAck('report_new_msg', '0.2.0', 200, ok('common_ack'))).toMatchObject({
			ok: true,
			problems: [],
		});
	});

	it.each([
		['a 500 status', 500, ok('pull_task_ack'), ['HTTP status 500, expected 200']],
		['an empty body', 200, '', ['answer is not JSON: ""']],
		['a JSON array', 200, '[]', ['answer is not a JSON object']],
		[
			'a missing ack_type',
			200,
			JSON.stringify({ error_code: 0, error_reason: '', data: {} }),
			['ack_type is undefined, client 0.4.26 expects "pull_task_ack"'],
		],
		[
			'a null error_reason',
			200,
			JSON.stringify({ error_code: 0, error_reason: null, ack_type: 'pull_task_ack', data: {} }),
			['error_reason is object, expected a string'],
		],
		[
			'data as an array',
			200,
			JSON.stringify({ error_code: 0, error_reason: '', ack_type: 'pull_task_ack', data: [] }),
			['data is missing or not an object'],
		],
	])('reports %s', (_name, status, body, problems) => {
		expect(checkAck('pull_task', '0.4.26', status, body).problems).toEqual(problems);
	});
});

describe('checkUploadAck', () => {
	it('accepts upload_file_ack echoing the file_index', () => {
		const body = JSON.stringify({
			error_code: 0,
			error_reason: '',
			ack_type: 'upload_file_ack',
			file_index: 'idx',
		});
		expect(checkUploadAck('idx', 200, body)).toMatchObject({ ok: true, problems: [] });
	});

	it('reports a wrong ack_type, a missing echo and non-JSON', () => {
		const body = JSON.stringify({
			error_code: 0,
			error_reason: '',
			ack_type: 'common_ack',
			data: {},
		});
		expect(checkUploadAck('idx', 200, body).problems).toEqual([
			'upload ack_type is "common_ack", expected "upload_file_ack"',
			'upload answer file_index undefined does not echo "idx"',
		]);
		expect(checkUploadAck('idx', 413, 'Payload Too Large').problems).toEqual([
			'HTTP status 413, expected 200',
			'upload answer is not JSON: "Payload Too Large"',
		]);
	});
});

describe('checkTask', () => {
	it.each([
		[
			{
				task_type: 1,
				task_dict: {
					wxid_to: '8680025352@chatroom',
					at_list: ['wxid_a'],
					msg_list: [{ msg_type: 1, msg: '{$@}你好' }],
				},
			},
			'0.4.26',
			[],
		],
		[
			{
				task_type: 1,
				task_dict: {
					room_wxid: '',
					wxid: 'wxid_a',
					msg_list: [{ msg_type: 3, msg: 'http://example.com/a.jpg' }],
				},
			},
			'0.1.5',
			[],
		],
		[{ task_type: 13, task_dict: { v1: 'v1_x@stranger', v2: 'v2_y@stranger' } }, '0.4.26', []],
		['task', '0.4.26', ['task is not an object']],
		[{ task_type: '1', task_dict: {} }, '0.4.26', ['task_type is "1", expected an integer']],
		[{ task_type: 42, task_dict: {} }, '0.4.26', ['task_type 42 is not a known task']],
		[{ task_type: 6 }, '0.4.26', ['task_dict is missing or not an object']],
		[
			{ task_type: 1, task_dict: { wxid_to: 'wxid_a', msg_list: [] } },
			'0.4.26',
			['task 1 has no msg_list'],
		],
		[
			{ task_type: 1, task_dict: { wxid_to: 'wxid_a', msg_list: [{ msg: 'hi' }] } },
			'0.4.26',
			['task 1 msg_list holds a unit without a numeric msg_type'],
		],
		[{ task_type: 9, task_dict: {} }, '0.4.26', ['task 9 lacks file_index']],
		[{ task_type: 4, task_dict: { room_wxid: 'x' } }, '0.4.26', ['task 4 lacks room_wxid_list']],
		[
			{ task_type: 100, task_dict: { tag_name: 'VIP', wxid_list: ['wxid_a'], op_code: 1 } },
			'0.4.26',
			[],
		],
		[{ task_type: 100, task_dict: { tag_name: 'VIP', wxid_list: [], op_code: 3 } }, '0.4.2', []],
		[
			{ task_type: 100, task_dict: { tag_name: 'VIP', wxid_list: [], op_code: 1 } },
			'0.4.26',
			['task 100 tags nobody'],
		],
		[
			{ task_type: 101, task_dict: { old_tag_name: 'VIP', new_tag_name: '大客户' } },
			'0.4.1',
			['task 101 (tags) is not known to client 0.4.1'],
		],
		[
			{ task_type: 17, task_dict: { member_list: [] } },
			'0.1.5',
			['task 17 is not known to client 0.1.5'],
		],
	])('%j for client %s: %j', (task, version, problems) => {
		expect(checkTask(task, version)).toEqual(problems);
	});
});

describe('checkExtensionProtocol', () => {
	it.each([
		'ws://192.168.1.10:8080/wehub/ws?wxid=wxid_bot1&token=a1b2',
		'wss://bots.example.com/ws',
		'WS://127.0.0.1:5679',
	])('reads the ws_url %s exactly as given, with heartbeat_interval in ms', (ws_url) => {
		expect(
			checkExtensionProtocol({ type: 'websocket', param: { ws_url, heartbeat_interval: 15 } }),
		).toEqual({ offer: { url: ws_url, heartbeatIntervalMs: 15_000 }, problems: [] });
	});

	it('takes 30 s when heartbeat_interval is missing', () => {
		expect(
			checkExtensionProtocol({ type: 'websocket', param: { ws_url: 'ws://127.0.0.1/ws' } }),
		).toEqual({ offer: { url: 'ws://127.0.0.1/ws', heartbeatIntervalMs: 30_000 }, problems: [] });
	});

	it('follows the socket but records a heartbeat_interval that is not a number of seconds', () => {
		expect(
			checkExtensionProtocol({
				type: 'websocket',
				param: { ws_url: 'ws://127.0.0.1/ws', heartbeat_interval: '30' },
			}),
		).toEqual({
			offer: { url: 'ws://127.0.0.1/ws', heartbeatIntervalMs: 30_000 },
			problems: [
				'extension_protocol.param.heartbeat_interval is "30", expected a number of seconds > 0 (using 30)',
			],
		});
	});

	it.each([
		[{ type: 'websocket', param: { ws_url: 'https://example.com/ws' } }, /ws_url is "https:/],
		[{ type: 'websocket', param: { ws_url: 'ws://' } }, /ws_url is "ws:\/\/"/],
		[{ type: 'websocket', param: { ws_url: 42 } }, /ws_url is 42/],
		[{ type: 'websocket', param: [] }, /param is missing or not an object/],
		[{ param: {} }, /type is undefined, expected a string/],
		[null, /extension_protocol is not an object/],
	])('offers nothing for %j', (value, problem) => {
		const { offer, problems } = checkExtensionProtocol(value);
		expect(offer).toBeUndefined();
		expect(problems).toEqual([expect.stringMatching(problem)]);
	});

	it('passes over another type without a problem', () => {
		expect(checkExtensionProtocol({ type: 'mqtt', param: { url: 'mqtt://x' } })).toEqual({
			problems: [],
		});
	});
});
