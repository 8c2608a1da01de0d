import {
	compareVersions,
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
