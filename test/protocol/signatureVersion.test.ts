import {
	compareVersions,
	laterClientEvidence,
	LATER_CLIENT_VERSION,
	loginSignature,
	parseClientVersion,
	usesCommonAck,
	versionAtLeast,
} from '../../nodes/WeHub/protocol';

describe('loginSignature', () => {
	it('matches the published example', () => {
		expect(loginSignature('fangqing_hust', 'helloworld', '112233')).toBe(
			'4B8D798F8B34A7BD2CD3B4CBFA309D9C',
		);
	});
});

describe('client versions', () => {
	it.each([
		['0.1.5', [0, 1, 5]],
		['0.4.26', [0, 4, 26]],
		['v0.3', [0, 3, 0]],
		['0.3.8.1', [0, 3, 8]],
		['abc', undefined],
		[undefined, undefined],
	])('parses %p', (input, expected) => {
		expect(parseClientVersion(input)).toEqual(expected);
	});

	it('compares numerically, not as text', () => {
		expect(versionAtLeast('0.4.26', '0.4.3')).toBe(true);
		expect(versionAtLeast('0.4.2', '0.4.2')).toBe(true);
		expect(versionAtLeast('0.1.5', '0.2.0')).toBe(false);
		expect(versionAtLeast(undefined, '0.1.0')).toBe(false);
		expect(compareVersions([1, 0, 0], [0, 9, 9])).toBe(1);
		expect(usesCommonAck('0.2.0')).toBe(true);
		expect(usesCommonAck('0.1.5')).toBe(false);
	});
});

describe('laterClientEvidence: fields only 0.2.0 and later clients send', () => {
	const body = (action: string, data: unknown, extra: object = {}) => ({
		action,
		appid: 'wh_appid_3f9c2a',
		wxid: 'wxid_p9597egc5j1c21',
		data,
		...extra,
	});

	it.each<[string | undefined, unknown]>([
		['client_session', body('report_contact', {}, { client_session: 'sess-1' })],
		['report_friend_removed', body('report_friend_removed', { wxid_removed: 'x' })],
		['report_room_removed', body('report_room_removed', {})],
		['report_user_info', body('report_user_info', {})],
		['public_list', body('report_contact', { friend_list: [], public_list: [] })],
		['machine_id', body('logout', { machine_id: 'M-01' })],
		['owner_wxid', body('report_room_member_change', { room_wxid: 'r', owner_wxid: 'o' })],
		['msg_id', body('report_new_msg', { msg: { msg_type: 1, msg: 'hi', msg_id: '1' } })],
		['msg_timestamp', body('report_new_msg', { msg_list: ['x', { msg_timestamp: 1 }] })],
		['atUserList', body('report_new_msg', { msg_type: 1, atUserList: [] })],
		[undefined, body('report_new_msg', { msg: { msg_type: 1, msg: 'hi', msg_id: null } })],
		[undefined, body('report_contact', { friend_list: [], group_list: [] })],
		[undefined, body('login', { client_version: '0.1.5' })],
		[undefined, 'not an object'],
		[undefined, body('report_new_msg', 'no data')],
	])('finds %p', (expected, request) => {
		expect(laterClientEvidence(request)).toBe(expected);
	});

	it('names the version such a client is at least: the first that answers with common_ack', () => {
		expect(usesCommonAck(LATER_CLIENT_VERSION)).toBe(true);
	});
});
