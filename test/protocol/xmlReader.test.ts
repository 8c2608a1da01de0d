import fc from 'fast-check';
import { Parser } from 'xml2js';
import { parseRawXml, splitSender } from '../../nodes/WeHub/protocol/rawXml';
import { readXml, type XmlTree } from '../../nodes/WeHub/protocol/xmlReader';
import { fixtureNames, readFixture } from './fixtures';

/** xml2js with the options rawXml.ts documents: the reference the fast reader must match. */
function xml2jsTree(text: string): XmlTree | undefined {
	let tree: XmlTree | undefined;
	try {
		new Parser({
			mergeAttrs: true,
			explicitArray: false,
			explicitRoot: true,
			async: false,
			strict: true,
		}).parseString(text, (error: unknown, value: unknown) => {
			if (tree !== undefined || error || typeof value !== 'object' || value === null) return;
			const root = Object.keys(value)[0];
			tree = { root, content: (value as Record<string, unknown>)[root] };
		});
	} catch {
		// Errors after the result (trailing content) keep the result, as in rawXml.ts.
	}
	return tree;
}

/** Same tree, same key order (items reach n8n as JSON, where order shows). */
function expectSameTree(fast: XmlTree, reference: XmlTree | undefined): void {
	expect(reference).toBeDefined();
	expect(fast).toEqual(reference);
	expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
}

/** raw_msg as parseRawXml hands it to the readers: no sender prefix, trimmed. */
function xmlOf(rawMsg: string): string {
	return splitSender(rawMsg).body.trim();
}

function fixtureRawMessages(): Array<[string, string]> {
	const found: Array<[string, string]> = [];
	for (const folder of ['requests', 'bad'] as const) {
		for (const name of fixtureNames(folder)) {
			let body: { data?: { msg?: { raw_msg?: unknown }; raw_msg?: unknown } };
			try {
				body = JSON.parse(readFixture(folder, name).toString());
			} catch {
				continue;
			}
			const raw = body?.data?.msg?.raw_msg ?? body?.data?.raw_msg;
			if (typeof raw === 'string' && xmlOf(raw).startsWith('<')) found.push([name, raw]);
		}
	}
	return found;
}

describe('readXml (the fast raw_msg reader)', () => {
	const fixtures = fixtureRawMessages();

	it('finds the XML fixtures', () => {
		expect(fixtures.length).toBeGreaterThanOrEqual(12);
	});

	it.each(fixtures.filter(([name]) => !name.startsWith('raw_msg.')))(
		'reads %s exactly as xml2js does',
		(_name, raw) => {
			const fast = readXml(xmlOf(raw));
			if (fast === undefined) throw new Error('declined a real WeChat raw_msg');
			expectSameTree(fast, xml2jsTree(xmlOf(raw)));
		},
	);

	it.each(fixtures.filter(([name]) => name.startsWith('raw_msg.')))(
		'declines the hostile fixture %s',
		(_name, raw) => {
			expect(readXml(xmlOf(raw))).toBeUndefined();
		},
	);

	it('gives parseRawXml the tree xml2js gives, for every fixture', () => {
		for (const [, raw] of fixtures) {
			const result = parseRawXml(raw);
			const reference = xml2jsTree(xmlOf(raw));
			if (result.ok && reference) {
				expect({ root: result.root, content: result.xml }).toEqual(
					typeof reference.content === 'object'
						? reference
						: { root: reference.root, content: { _: reference.content } },
				);
			}
		}
	});

	it.each([
		['text beside children, joined', '<a>x<b/>y</a>', { _: 'xy', b: '' }],
		['whitespace-only text dropped beside attributes', '<a k="1">\n\t</a>', { k: '1' }],
		['whitespace-only text kept alone', '<a> </a>', ' '],
		['whitespace CDATA kept', '<a k="1"><![CDATA[ ]]></a>', { _: ' ', k: '1' }],
		['empty CDATA is no text', '<a k="1"><![CDATA[]]></a>', { k: '1' }],
		['an attribute and a child of one name', '<a b="1"><b>2</b></a>', { b: ['1', '2'] }],
		[
			'entities and references',
			'<a t="&lt;&#x41;&#66;">&amp;&quot;&apos;&gt;</a>',
			{ _: '&"\'>', t: '<AB' },
		],
		['"]]>" and ">" in text', '<a>]]&gt;></a>', ']]>>'],
		['single quotes and spaced "="', '<a k = \'say "hi"\'/>', { k: 'say "hi"' }],
	])('reads %s like xml2js', (_name, xml, content) => {
		const fast = readXml(xml);
		if (fast === undefined) throw new Error('declined');
		expect(fast.content).toEqual(content);
		expectSameTree(fast, xml2jsTree(xml));
	});

	it.each([
		['a comment', '<a><!-- x --></a>'],
		['a DOCTYPE', '<!DOCTYPE a><a/>'],
		['a processing instruction inside', '<a><?pi x?></a>'],
		['an unknown entity', '<a>&nbsp;</a>'],
		['an upper-case entity (sax reads it, case-insensitively)', '<a>&AMP;</a>'],
		['a reference to a non-character', '<a>&#0;</a>'],
		['a surrogate reference', '<a>&#xD800;</a>'],
		['a bare ampersand', '<a>fish & chips</a>'],
		['a duplicate attribute', '<a k="1" k="2"/>'],
		['an element named "_"', '<a><_>x</_></a>'],
		['an attribute named "cdata"', '<a cdata="x"/>'],
		['__proto__', '<a><__proto__><p>1</p></__proto__></a>'],
		['constructor', '<a constructor="x"/>'],
		['toString', '<a><toString/></a>'],
		['prototype', '<a><prototype/></a>'],
		['a non-ASCII name', '<消息/>'],
		['content after the root', '<a/><b/>'],
		['text after the root', '<a/>junk'],
		['a mismatched close tag', '<a><b></a></b>'],
		['an unclosed root', '<a><b/>'],
		['an unquoted attribute', '<a k=1/>'],
		['attributes without space between them', '<a k="1"j="2"/>'],
		['a space after "/" in a tag', '<a/ >'],
		['nesting deeper than 20', `${'<a>'.repeat(21)}${'</a>'.repeat(21)}`],
		['a lower-case CDATA marker', '<a><![cdata[x]]></a>'],
		['an empty string', ''],
	])('declines %s (rawXml.ts falls back to xml2js)', (_name, xml) => {
		expect(readXml(xml)).toBeUndefined();
	});

	it("reads 20 levels, repeated at each level, within rawXml.ts's depth limit", () => {
		let xml = '<a>x</a>';
		for (let level = 1; level < 20; level++) xml = `<a>${xml}<a/></a>`;
		const fast = readXml(xml);
		if (fast === undefined) throw new Error('declined');
		expectSameTree(fast, xml2jsTree(xml));
		expect(parseRawXml(xml).ok).toBe(true);
	});
});

/* ------------------------------------------------------------------ generated XML */

const NAMES = [
	'msg',
	'appmsg',
	'title',
	'des',
	'url',
	'type',
	'emoji',
	'a',
	'x:y',
	'item-1',
	'v.2',
];
const ODD_NAMES = ['_', 'cdata', 'toString', '__proto__', 'prototype', 'constructor'];
const CHARS = [
	'a',
	'Z',
	'1',
	' ',
	'\n',
	'\t',
	'\r',
	'\u3000',
	'\u00a0',
	'汉',
	'😀',
	'&',
	'<',
	'>',
	'"',
	"'",
	']',
	'=',
	'/',
];

const rawText = fc
	.array(fc.constantFrom(...CHARS), { maxLength: 8 })
	.map((chars) => chars.join(''));

/** Escapes for XML in one of the ways WeChat (or a hand-written client) does. */
function escape(text: string, quote: '"' | "'", style: number): string {
	return text.replace(/[&<>"']/g, (c) => {
		if (c === '&') return ['&amp;', '&#38;', '&#x26;'][style % 3];
		if (c === '<') return ['&lt;', '&#60;', '&#x3C;'][style % 3];
		if (c === '>') return style % 2 ? '&gt;' : '>';
		if (c === quote) return c === '"' ? '&quot;' : '&apos;';
		return style % 2 ? (c === '"' ? '&quot;' : '&apos;') : c;
	});
}

const space = fc.constantFrom('', ' ', '\n', '\t', '  ');
const someSpace = fc.constantFrom(' ', '\n', '\t', ' \r\n ');

type Node =
	{ kind: 'text'; text: string; style: number } | { kind: 'cdata'; text: string } | Element;
interface Element {
	kind: 'element';
	name: string;
	attributes: Array<{ name: string; value: string; quote: '"' | "'"; style: number; gap: string }>;
	children: Node[];
	selfClosing: boolean;
	closeGap: string;
}

function treeArbitrary(names: string[], uniqueAttributes: boolean) {
	const attribute = fc.record({
		name: fc.constantFrom(...names),
		value: rawText,
		quote: fc.constantFrom<'"' | "'">('"', "'"),
		style: fc.nat(5),
		gap: someSpace,
	});
	const { element } = fc.letrec<{ element: Element; node: Node }>((tie) => ({
		element: fc.record({
			kind: fc.constant('element' as const),
			name: fc.constantFrom(...names),
			attributes: uniqueAttributes
				? fc.uniqueArray(attribute, { selector: (a) => a.name, maxLength: 4 })
				: fc.array(attribute, { maxLength: 4 }),
			children: fc.array(tie('node'), { maxLength: 4 }),
			selfClosing: fc.boolean(),
			closeGap: space,
		}),
		node: fc.oneof(
			{ depthSize: 'small', withCrossShrink: true },
			fc.record({ kind: fc.constant('text' as const), text: rawText, style: fc.nat(5) }),
			fc.record({
				kind: fc.constant('cdata' as const),
				text: rawText.map((text) => text.replace(/]]>/g, '')),
			}),
			tie('element'),
		),
	}));
	return fc.tuple(element, fc.boolean(), space).map(([root, declaration, trailing]) => {
		const xml = serialise(root);
		return `${declaration ? '<?xml version="1.0" encoding="utf-8"?>\n' : ''}${xml}${trailing}`;
	});
}

function serialise(node: Node): string {
	if (node.kind === 'text') return escape(node.text, '"', node.style);
	if (node.kind === 'cdata') return `<![CDATA[${node.text}]]>`;
	const attributes = node.attributes
		.map((a) => `${a.gap}${a.name}=${a.quote}${escape(a.value, a.quote, a.style)}${a.quote}`)
		.join('');
	if (node.selfClosing && node.children.length === 0) return `<${node.name}${attributes}/>`;
	const inner = node.children.map(serialise).join('');
	return `<${node.name}${attributes}>${inner}</${node.name}${node.closeGap}>`;
}

/** `XML_FUZZ_SCALE=50 npx jest test/protocol/xmlReader` for a longer hunt. */
const SCALE = Number(process.env.XML_FUZZ_SCALE ?? 1);

describe('readXml against xml2js on generated XML', () => {
	it('reads every well-formed tree of plain names, exactly as xml2js does', () => {
		fc.assert(
			fc.property(treeArbitrary(NAMES, true), (xml) => {
				const fast = readXml(xml);
				if (fast === undefined) throw new Error(`declined ${JSON.stringify(xml)}`);
				expectSameTree(fast, xml2jsTree(xml));
			}),
			{ numRuns: 400 * SCALE },
		);
	});

	it('matches xml2js whenever it reads trees with odd names and duplicates', () => {
		fc.assert(
			fc.property(treeArbitrary([...NAMES.slice(0, 3), ...ODD_NAMES], false), (xml) => {
				const fast = readXml(xml);
				if (fast !== undefined) expectSameTree(fast, xml2jsTree(xml));
			}),
			{ numRuns: 300 * SCALE },
		);
	});

	it('never throws on damaged WeChat XML and matches xml2js whenever it reads it', () => {
		const samples = fixtureRawMessages().map(([, raw]) => xmlOf(raw));
		const edit = fc.record({
			sample: fc.nat(samples.length - 1),
			at: fc.nat(2000),
			remove: fc.nat(4),
			insert: fc.array(
				fc.constantFrom(...CHARS, '&amp;', '&#', ';', '<![CDATA[', '<!--', '/>', '</'),
				{
					maxLength: 3,
				},
			),
		});
		fc.assert(
			fc.property(edit, ({ sample, at, remove, insert }) => {
				const original = samples[sample];
				const position = at % (original.length + 1);
				const xml =
					original.slice(0, position) + insert.join('') + original.slice(position + remove);
				const fast = readXml(xml);
				if (fast !== undefined) expectSameTree(fast, xml2jsTree(xml));
			}),
			{ numRuns: 500 * SCALE },
		);
	});

	it('never throws on arbitrary strings', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 80 }), (text) => {
				const fast = readXml(`<a>${text}</a>`);
				if (fast !== undefined) expectSameTree(fast, xml2jsTree(`<a>${text}</a>`));
				readXml(text);
			}),
			{ numRuns: 300 * SCALE },
		);
	});
});
