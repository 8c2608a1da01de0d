import { decideLogin } from '../../nodes/WeHub/trigger/login';
import { optionsFromParameters } from '../../nodes/WeHub/trigger/optionsFromParameters';

/**
 * login_ack.data.option.flag_report_contact (WeHub 0.4.9+) tells the client which lists its
 * report_contact carries: big accounts keep reports small by leaving lists out.
 */
const BOT = 'fangqing_hust';
const settings = { allowedBots: null, secretKey: '112233' };

function triggerOptions(contactReportLists: unknown) {
	return optionsFromParameters((name, fallback) =>
		name === 'triggerOptions' ? { contactReportLists } : fallback,
	);
}

describe('Contact Report Lists (login_ack option)', () => {
	it.each([
		[['friends'], 1],
		[['rooms'], 2],
		[['officialAccounts'], 4],
		[['friends', 'rooms'], 3],
		[['rooms', 'officialAccounts', 'friends'], 7],
	])('turns %j into flag_report_contact %d', (lists, flag) => {
		expect(triggerOptions(lists).reportContactFlag).toBe(flag);
	});

	it('sends no option when no list is chosen (WeHub then reports every list)', () => {
		expect(triggerOptions([]).reportContactFlag).toBeUndefined();
		expect(triggerOptions(undefined).reportContactFlag).toBeUndefined();
		const decision = decideLogin(BOT, { client_version: '0.4.26' }, settings, {});
		expect(decision).toEqual({ accepted: true, data: {} });
	});

	it('carries the option beside the signature of a signed login', () => {
		const decision = decideLogin(BOT, { client_version: '0.4.26', nonce: 'helloworld' }, settings, {
			reportContactFlag: 3,
		});
		expect(decision).toEqual({
			accepted: true,
			data: {
				option: { flag_report_contact: 3 },
				signature: '4B8D798F8B34A7BD2CD3B4CBFA309D9C',
			},
		});
	});

	it('carries it for an unsigned login too', () => {
		expect(
			decideLogin(BOT, { client_version: '0.4.9' }, settings, { reportContactFlag: 1 }),
		).toEqual({
			accepted: true,
			data: { option: { flag_report_contact: 1 } },
		});
	});
});
