import {
	KNOWN_ACTIONS,
	ackTypeFor,
	buildAck,
	buildErrorAck,
	buildTaskResultAck,
	buildUploadAck,
	MAX_ECHOED_ACTION_LENGTH,
	parseRequest,
	type RequestError,
} from '../../nodes/WeHub/protocol';
import { readFixture } from './fixtures';

const OWN_ACK = ['login', 'logout', 'pull_task'];

describe('acks for every action', () => {
	const cases = KNOWN_ACTIONS.flatMap((action) => [
		[action, '0.1.5', `${action}_ack`],
		[action, '0.4.26', OWN_ACK.includes(action) ? `${action}_ack` : 'common_ack'],
	]);

	const replyTaskList = (action: string, version: string) =>
		version === '0.1.5' && (action === 'report_new_msg' || action === 'report_new_friend');

	it.each(cases)('%s from client %s is answered with %s', (action, version, ackType) => {
		expect(buildAck(action, version)).toEqual({
			error_code: 0,
			error_reason: '',
			ack_type: ackType,
			data: replyTaskList(action, version) ? { reply_task_list: [] } : {},
		});
	});

	it.each([undefined, '0.1.5'])(
		'gives report_new_msg and report_new_friend from client %p the empty reply_task_list of the seed',
		(version) => {
			for (const action of ['report_new_msg', 'report_new_friend']) {
				expect(buildAck(action, version).data).toEqual({ reply_task_list: [] });
				expect(buildErrorAck({ action, reason: 'bad', httpStatus: 400 }, version).data).toEqual({
					reply_task_list: [],
				});
			}
			expect(buildAck('report_new_msg', '0.2.0').data).toEqual({});
		},
	);

	it('repeats at most 64 characters of an action name', () => {
		const name = 'report_' + '汉'.repeat(1_000_000);
		expect(ackTypeFor(name, '0.1.5')).toBe(`${name.slice(0, MAX_ECHOED_ACTION_LENGTH)}_ack`);
		expect(
			JSON.stringify(buildErrorAck({ action: name, reason: 'x', httpStatus: 400 })).length,
		).toBeLessThan(300);
	});

	it.each([undefined, '', 'garbage', '0.1.4'])('treats client version %p as 0.1.x', (version) => {
		expect(ackTypeFor('report_new_msg', version)).toBe('report_new_msg_ack');
	});

	it('answers 0.2.0 exactly with common_ack, and unknown actions too', () => {
		expect(ackTypeFor('report_contact', '0.2.0')).toBe('common_ack');
		expect(ackTypeFor('report_login_qrcode', '0.4.26')).toBe('common_ack');
		expect(ackTypeFor('report_login_qrcode', '0.1.5')).toBe('report_login_qrcode_ack');
	});

	it('carries error code, reason and data when given', () => {
		expect(
			buildAck('login', '0.4.26', {
				errorCode: 403,
				errorReason: 'wxid not allowed',
				data: { signature: 'ABC' },
			}),
		).toEqual({
			error_code: 403,
			error_reason: 'wxid not allowed',
			ack_type: 'login_ack',
			data: { signature: 'ABC' },
		});
	});

	it.each([
		['0.1.5', 'report_task_result_ack'],
		['0.4.26', 'common_ack'],
	])('echoes task_id to report_task_result from %s', (version, ackType) => {
		expect(buildTaskResultAck('t_01HZX3K9D2', version)).toEqual({
			error_code: 0,
			error_reason: '',
			ack_type: ackType,
			data: { task_id: 't_01HZX3K9D2' },
		});
	});
});

describe('error acks', () => {
	function errorOf(name: string): RequestError {
		const result = parseRequest(readFixture('bad', name));
		if (result.ok) throw new Error('expected an error');
		return result.error;
	}

	it('uses <action>_ack when the action was readable', () => {
		expect(buildErrorAck(errorOf('report_task_result.bad_result.json'))).toEqual({
			error_code: 400,
			error_reason: 'Field "data.task_result" must be 1 (success) or 0 (failure)',
			ack_type: 'report_task_result_ack',
			data: {},
		});
		expect(buildErrorAck(errorOf('report_task_result.bad_result.json'), '0.4.26').ack_type).toBe(
			'common_ack',
		);
	});

	it('uses common_ack when not even the action was readable', () => {
		expect(buildErrorAck(errorOf('not_json.txt'))).toMatchObject({
			error_code: 400,
			ack_type: 'common_ack',
			data: {},
		});
	});
});

describe('upload ack', () => {
	it('names the file_index and has the same fields as every other answer', () => {
		expect(buildUploadAck('3053020100044c30')).toEqual({
			error_code: 0,
			error_reason: '',
			ack_type: 'upload_file_ack',
			file_index: '3053020100044c30',
			data: {},
		});
		expect(buildUploadAck('x', 413, 'file too large')).toMatchObject({
			error_code: 413,
			error_reason: 'file too large',
		});
	});
});
