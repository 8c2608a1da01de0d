import { parseRawXml } from '../../nodes/WeHub/protocol';
import { MAX_RAW_XML_DEPTH } from '../../nodes/WeHub/protocol/rawXml';

/** raw_msg XML that WeChat never sends but a hostile body can: refused, the text kept. */

describe('deeply nested raw_msg XML', () => {
	it('refuses raw_msg XML nested deeper than the limit, keeping the text', () => {
		const levels = 10_000; // 190 kB: under the size limit
		const xml = '<msg>' + '<appmsg>'.repeat(levels) + '</appmsg>'.repeat(levels) + '</msg>';
		const result = parseRawXml(xml);
		expect(result).toMatchObject({
			ok: false,
			reason: `XML nested deeper than ${MAX_RAW_XML_DEPTH} levels`,
		});
	});

	it('still reads real nesting (a sysmsg template member, 8 levels)', () => {
		const xml =
			'<sysmsg type="sysmsgtemplate"><sysmsgtemplate><content_template><link_list><link name="names">' +
			'<memberlist><member><username>wxid_alice6a8kd2</username></member></memberlist>' +
			'</link></link_list></content_template></sysmsgtemplate></sysmsg>';
		expect(parseRawXml(xml)).toMatchObject({ ok: true, root: 'sysmsg' });
	});
});

describe('prototype names inside raw_msg XML', () => {
	it.each([
		['an element', '<msg><__proto__><polluted>yes</polluted></__proto__></msg>', '__proto__'],
		['an attribute', '<msg constructor="x"><title>t</title></msg>', 'constructor'],
		['a nested element', '<msg><appmsg><prototype>p</prototype></appmsg></msg>', 'prototype'],
		['the root', '<constructor><a>1</a></constructor>', 'constructor'],
	])('refuses them as %s, as parseRequest refuses them as JSON keys', (_, xml, name) => {
		expect(parseRawXml(xml)).toMatchObject({
			ok: false,
			reason: `XML with the forbidden name "${name}" is refused`,
		});
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});
