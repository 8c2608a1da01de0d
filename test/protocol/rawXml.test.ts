import {
	MAX_RAW_XML_BYTES,
	parseRawXml,
	xmlAll,
	xmlNumber,
	xmlText,
} from '../../nodes/WeHub/protocol';
import { readFixture } from './fixtures';

function rawMsgOf(folder: 'requests' | 'bad', name: string): string {
	return JSON.parse(readFixture(folder, name).toString()).data.msg.raw_msg;
}

describe('parseRawXml', () => {
	it('returns the room sender and merges attributes into their element', () => {
		expect(
			parseRawXml('wxid_alice6a8kd2:\n<msg><voicemsg voicelength="3160" length="5236" /></msg>'),
		).toEqual({
			ok: true,
			sender: 'wxid_alice6a8kd2',
			root: 'msg',
			xml: { voicemsg: { voicelength: '3160', length: '5236' } },
		});
	});

	it('reads CDATA, an XML declaration and Chinese text', () => {
		const result = parseRawXml(rawMsgOf('requests', 'report_new_msg.file.room.json'));
		expect(result).toMatchObject({
			ok: true,
			root: 'msg',
			xml: { appmsg: { title: '2023年度报告.pdf' } },
		});
		const link = parseRawXml(rawMsgOf('requests', 'report_new_msg.link.private.cdata.json'));
		expect(link.ok && xmlText(link.xml, 'appmsg', 'des')).toBe('十分钟上手 & 常见问题');
	});

	it('keeps text beside attributes under "_" and repeated elements as arrays', () => {
		const result = parseRawXml('<msg><a kind="x">hello</a><b>1</b><b>2</b></msg>');
		if (!result.ok) throw new Error(result.reason);
		expect(result.xml).toEqual({ a: { kind: 'x', _: 'hello' }, b: ['1', '2'] });
		expect(xmlText(result.xml, 'a')).toBe('hello');
		expect(xmlAll(result.xml, 'b')).toEqual(['1', '2']);
		expect(xmlNumber(result.xml, 'b')).toBe(1);
		expect(xmlNumber(result.xml, 'a', 'kind')).toBeUndefined();
		expect(xmlAll(result.xml, 'missing')).toEqual([]);
	});

	it('wraps a text-only root under "_"', () => {
		expect(parseRawXml('<msg>hi</msg>')).toEqual({ ok: true, root: 'msg', xml: { _: 'hi' } });
	});

	it.each([
		['plain text', '消息已发出，但被对方拒收了', 'not XML (plain text)'],
		['an empty string', '', 'empty'],
		['garbage', rawMsgOf('bad', 'raw_msg.garbage.json'), /^malformed XML: /],
		[
			'a billion-laughs DTD',
			rawMsgOf('bad', 'raw_msg.billion_laughs.json'),
			'XML with a DTD or entity declaration is refused',
		],
		[
			'an external entity',
			rawMsgOf('bad', 'raw_msg.external_entity.json'),
			'XML with a DTD or entity declaration is refused',
		],
		['an undeclared entity', '<msg>&xxe;</msg>', /^malformed XML: /],
		['a non-string', 42 as unknown as string, 'raw_msg is not a string'],
	])('refuses %s with a reason, without throwing', (_name, input, reason) => {
		const result = parseRawXml(input);
		if (result.ok) throw new Error('expected a refusal');
		if (typeof reason === 'string') expect(result.reason).toBe(reason);
		else expect(result.reason).toMatch(reason);
	});

	it('keeps the sender and text of plain text after a sender prefix', () => {
		expect(parseRawXml('wxid_alice6a8kd2:\n[微笑]')).toEqual({
			ok: false,
			sender: 'wxid_alice6a8kd2',
			text: '[微笑]',
			reason: 'not XML (plain text)',
		});
	});

	it('refuses inputs beyond the size bound, counting UTF-8 bytes', () => {
		const huge = `<msg><title>${'a'.repeat(MAX_RAW_XML_BYTES)}</title></msg>`;
		expect(parseRawXml(huge)).toMatchObject({
			ok: false,
			reason: `raw_msg is larger than ${MAX_RAW_XML_BYTES} bytes`,
		});
		const chinese = `<msg>${'汉'.repeat(400)}</msg>`; // 1211 bytes in 411 characters
		expect(parseRawXml(chinese, { maxBytes: 1000 }).ok).toBe(false);
		expect(parseRawXml(chinese, { maxBytes: 2000 }).ok).toBe(true);
	});

	it('does not pollute prototypes through element names', () => {
		const result = parseRawXml('<msg><__proto__><polluted>yes</polluted></__proto__></msg>');
		// Refused like a `__proto__` JSON key (test/hardening/rawXmlGuards.test.ts).
		expect(result.ok).toBe(false);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});
