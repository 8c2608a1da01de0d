import { parseIpAllowList, splitIpList } from '../../nodes/WeHub/listener/ipAllowList';

describe('listener IP allow-list', () => {
	const list = parseIpAllowList(splitIpList('192.168.1.20, 10.0.0.0/8\n fd00::/8'));

	it.each([
		['192.168.1.20', true],
		['::ffff:192.168.1.20', true],
		['10.200.3.4', true],
		['fd12:3456::1', true],
		['192.168.1.21', false],
		['127.0.0.1', false],
		['2001:db8::1', false],
		[undefined, false],
	])('%s allowed: %s', (address, allowed) => {
		expect(list.allows(address)).toBe(allowed);
	});

	it('allows everyone when empty', () => {
		expect(parseIpAllowList([]).allows('203.0.113.9')).toBe(true);
	});

	it.each(['wehub.example.com', '10.0.0.0/33', '10.0.0.0/8/1', 'fd00::/129'])(
		'rejects %s, naming it',
		(entry) => {
			expect(() => parseIpAllowList([entry])).toThrow(`"${entry}" is not an IP address`);
		},
	);
});
