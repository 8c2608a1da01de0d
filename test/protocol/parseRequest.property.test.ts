import fc from 'fast-check';
import { buildErrorAck, normaliseMessage, parseRequest } from '../../nodes/WeHub/protocol';

function checkOutcome(body: string | Buffer): void {
	const result = parseRequest(body);
	if (result.ok) {
		expect(typeof result.request.action).toBe('string');
		if (result.request.known && result.request.action === 'report_new_msg') {
			for (const unit of result.request.units) normaliseMessage(unit, 'wxid_bot');
		}
	} else {
		expect(result.error.reason.length).toBeGreaterThan(0);
		expect(result.error.httpStatus).toBe(400);
		expect(buildErrorAck(result.error).ack_type).toMatch(/_ack$/);
	}
}

describe('parseRequest never throws', () => {
	it('on random JSON values', () => {
		fc.assert(
			fc.property(fc.jsonValue(), (value) => checkOutcome(JSON.stringify(value))),
			{ numRuns: 300 },
		);
	});

	it('on random bytes', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => checkOutcome(Buffer.from(bytes))),
			{ numRuns: 300 },
		);
	});

	it('on envelopes with random data for every action', () => {
		const actions = [
			'login',
			'logout',
			'report_contact',
			'report_new_msg',
			'report_task_result',
			'report_room_member_info',
			'report_room_member_change',
			'report_zoom_check_status',
			'pull_task',
			'something_new',
		];
		const unit = fc.record(
			{
				msg_type: fc.oneof(
					fc.constantFrom(1, 3, 34, 42, 43, 47, 49, 4901, 4902, 4903, 10000),
					fc.jsonValue(),
				),
				msg: fc.jsonValue(),
				raw_msg: fc.oneof(fc.string(), fc.constant('<msg><appmsg><title>t</title></appmsg></msg>')),
				wxid_from: fc.jsonValue(),
			},
			{ requiredKeys: [] },
		);
		const data = fc.oneof(
			fc.jsonValue(),
			fc.record({ msg: unit }),
			fc.dictionary(fc.string(), fc.jsonValue()),
		);
		fc.assert(
			fc.property(fc.constantFrom(...actions), data, (action, value) =>
				checkOutcome(JSON.stringify({ action, appid: 'a', wxid: 'w', data: value })),
			),
			{ numRuns: 500 },
		);
	});
});
