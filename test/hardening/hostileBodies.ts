import fc from 'fast-check';

import { fixtureNames, readFixture } from '../protocol/fixtures';

/**
 * Random and mutated WeHub callback bodies for the fuzz suites. Every body starts from a real
 * fixture (test/fixtures/requests) and is broken the ways a hostile or buggy client could:
 * fields dropped or retyped, prototype keys, deep nesting, hostile raw_msg XML, huge strings,
 * invalid UTF-8, truncation.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const FIXTURES: ReadonlyArray<{ name: string; body: Record<string, Json> }> = fixtureNames(
	'requests',
)
	.filter((name) => name.endsWith('.json'))
	.map((name) => ({
		name,
		body: JSON.parse(readFixture('requests', name).toString('utf8')) as Record<string, Json>,
	}));

/** Hostile raw_msg values: entity expansion, external entities, deep and malformed XML. */
export const HOSTILE_XML: readonly string[] = [
	'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><msg><appmsg><title>&lol3;</title></appmsg></msg>',
	'<?xml version="1.0"?><!DOCTYPE msg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><msg><appmsg><title>&xxe;</title></appmsg></msg>',
	'<!DOCTYPE msg PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://127.0.0.1:9/dtd"><msg/>',
	'<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd">%remote;<msg/>',
	'<msg><appmsg><title>&undefined;&#x0;&#xFFFFFFFF;</title></appmsg></msg>',
	'<msg>' + '<a>'.repeat(20_000) + '</a>'.repeat(20_000) + '</msg>',
	'<msg>' + '<a>'.repeat(5_000),
	'<msg><__proto__><polluted>yes</polluted></__proto__></msg>',
	'<msg constructor="1" prototype="2"><appmsg __proto__="x"/></msg>',
	'<msg><appmsg><title><![CDATA[</title>]]></title><![CDATA[', // unterminated CDATA
	'wxid_alice6a8kd2:\n<msg><emoji cdnurl="http://emoji.qpic.cn/x" len="abc"/></msg>',
	'<sysmsg type="sysmsgtemplate"><sysmsgtemplate><content_template><template><![CDATA[' +
		'$names$'.repeat(5_000) +
		']]></template><link_list><link name="names"><memberlist><member><nickname>' +
		'N'.repeat(20_000) +
		'</nickname></member></memberlist></link></link_list></content_template></sysmsgtemplate></sysmsg>',
	'<msg>' + '<b x="1"/>'.repeat(30_000) + '</msg>',
	'<?xml-stylesheet href="file:///etc/passwd"?><msg><!-- <!ENTITY x "y"> --></msg>',
];

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

/** A value of the wrong type for any field. */
const wrongValue: fc.Arbitrary<Json> = fc.oneof(
	fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, -0, '', ' ', [], {}, '1', 'NaN'),
	fc.constantFrom<Json>(Number.MAX_SAFE_INTEGER + 2, 4902, 10000, '4901', '<msg/>'),
	fc.string({ maxLength: 40 }),
	fc.string({ maxLength: 40, unit: 'binary' }),
	fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
	fc.constantFrom<Json>(...HOSTILE_XML),
);

/** Every path to a value in the body (iterative: bodies are shallow, but be safe). */
function pathsOf(root: Json): Array<Array<string | number>> {
	const paths: Array<Array<string | number>> = [];
	const stack: Array<[Json, Array<string | number>]> = [[root, []]];
	while (stack.length > 0) {
		const [value, path] = stack.pop()!;
		if (path.length > 0) paths.push(path);
		if (Array.isArray(value)) value.forEach((child, i) => stack.push([child, [...path, i]]));
		else if (value !== null && typeof value === 'object') {
			for (const [key, child] of Object.entries(value)) stack.push([child, [...path, key]]);
		}
	}
	return paths;
}

type Container = Record<string, Json> | Json[];

function parentOf(root: Json, path: Array<string | number>): Container | undefined {
	let current: Json = root;
	for (const step of path.slice(0, -1)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, Json>)[step as string];
	}
	return current !== null && typeof current === 'object' ? (current as Container) : undefined;
}

/** One edit of the parsed body; `pick` chooses the field (modulo the number of fields). */
type Edit = (body: Record<string, Json>) => void;

function atPath(pick: number, change: (parent: Container, key: string | number) => void): Edit {
	return (body) => {
		const paths = pathsOf(body);
		if (paths.length === 0) return;
		const path = paths[pick % paths.length];
		const parent = parentOf(body, path);
		if (parent) change(parent, path[path.length - 1]);
	};
}

const edit: fc.Arbitrary<Edit> = fc.oneof(
	// Drop a field.
	fc.nat().map((pick) =>
		atPath(pick, (parent, key) => {
			if (Array.isArray(parent)) parent.splice(key as number, 1);
			else delete parent[key as string];
		}),
	),
	// Give a field the wrong type (or a hostile XML string).
	fc
		.tuple(fc.nat(), wrongValue)
		.map(([pick, value]) =>
			atPath(pick, (parent, key) => void ((parent as Record<string, Json>)[key] = value)),
		),
	// Add an unexpected field next to real ones.
	fc.tuple(fc.nat(), fc.string({ maxLength: 12 }), wrongValue).map(([pick, name, value]) =>
		atPath(pick, (parent) => {
			if (!Array.isArray(parent)) parent[name] = value;
		}),
	),
	// Replace the message unit with a hostile raw_msg of a type that parses XML.
	fc
		.tuple(
			fc.constantFrom(...HOSTILE_XML),
			fc.constantFrom(34, 42, 43, 47, 49, 4901, 4902, 4903, 10000),
		)
		.map(([rawMsg, msgType]): Edit => (body) => {
			const data = body.data;
			if (data && typeof data === 'object' && !Array.isArray(data)) {
				data.msg = { msg_type: msgType, wxid_from: 'wxid_alice6a8kd2', raw_msg: rawMsg };
			}
		}),
);

/** Text-level edits: prototype keys (a JS object literal cannot carry `__proto__` as a key). */
type TextEdit = (text: string) => string;

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
	fc
		.tuple(fc.nat(), fc.constantFrom(...FORBIDDEN_KEYS), fc.boolean())
		.map(([pick, key, escaped]): TextEdit => (text) => {
			const opens = [...text.matchAll(/\{/g)].map((m) => m.index!);
			if (opens.length === 0) return text;
			const at = opens[pick % opens.length] + 1;
			const name = escaped ? key.replace('_', '\\u005f').replace('o', '\\u006f') : key;
			const value = '{"polluted":"yes","isAdmin":true,"toString":"x"}';
			const rest = text.slice(at).trimStart();
			const separator = rest.startsWith('}') ? '' : ',';
			return `${text.slice(0, at)}"${name}":${value}${separator}${text.slice(at)}`;
		}),
	// Nest deeply, as text (JSON.stringify itself overflows on the deepest values).
	fc
		.tuple(fc.nat(), fc.constantFrom(8, 63, 64, 65, 200, 10_000), fc.boolean())
		.map(([pick, depth, arrays]): TextEdit => (text) => {
			const opens = [...text.matchAll(/\{/g)].map((m) => m.index!);
			if (opens.length === 0) return text;
			const at = opens[pick % opens.length] + 1;
			const value = arrays
				? '['.repeat(depth) + '"wxid_deep"' + ']'.repeat(depth)
				: '{"d":'.repeat(depth) + '1' + '}'.repeat(depth);
			const separator = text.slice(at).trimStart().startsWith('}') ? '' : ',';
			return `${text.slice(0, at)}"deep":${value}${separator}${text.slice(at)}`;
		}),
	{ weight: 6, arbitrary: fc.constant<TextEdit>((text) => text) },
);

/** Byte-level edits of the encoded body. */
type ByteEdit = (bytes: Buffer) => Buffer;

const INVALID_UTF8 = [
	Buffer.from([0xff]),
	Buffer.from([0xc3]), // a lead byte without its continuation
	Buffer.from([0xed, 0xa0, 0x80]), // an encoded UTF-16 surrogate
	Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), // a 5-byte sequence
	Buffer.from([0xef, 0xbb, 0xbf]), // a BOM in the middle
	Buffer.from([0x00]),
];

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
	{ weight: 12, arbitrary: fc.constant<ByteEdit>((bytes) => bytes) },
	// Truncate (a dropped connection, a proxy cutting the body).
	fc.double({ min: 0, max: 1, noNaN: true }).map(
		(at): ByteEdit =>
			(bytes) =>
				bytes.subarray(0, Math.floor(bytes.length * at)),
	),
	// Insert invalid UTF-8 somewhere (inside strings or between tokens).
	fc
		.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...INVALID_UTF8))
		.map(([at, junk]): ByteEdit => (bytes) => {
			const i = Math.floor(bytes.length * at);
			return Buffer.concat([bytes.subarray(0, i), junk, bytes.subarray(i)]);
		}),
	// Flip a byte.
	fc
		.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 }))
		.map(([at, value]): ByteEdit => (bytes) => {
			if (bytes.length === 0) return bytes;
			const copy = Buffer.from(bytes);
			copy[Math.min(copy.length - 1, Math.floor(copy.length * at))] = value;
			return copy;
		}),
	// A BOM in front (Windows tools write one).
	fc.constant<ByteEdit>((bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])),
);

export interface HostileBody {
	fixture: string;
	body: Buffer;
}

/** A fixture, edited 0-4 times, then text- and byte-edited. */
export const mutatedBody: fc.Arbitrary<HostileBody> = fc
	.tuple(fc.nat({ max: FIXTURES.length - 1 }), fc.array(edit, { maxLength: 3 }), textEdit, byteEdit)
	.map(([index, edits, text, bytes]) => {
		const fixture = FIXTURES[index];
		const body = structuredClone(fixture.body);
		for (const apply of edits) apply(body);
		return { fixture: fixture.name, body: bytes(Buffer.from(text(JSON.stringify(body)))) };
	});

/** Bodies that have nothing to do with WeHub: random JSON and random bytes. */
export const randomBody: fc.Arbitrary<HostileBody> = fc.oneof(
	fc
		.jsonValue()
		.map((value) => ({ fixture: 'random JSON', body: Buffer.from(JSON.stringify(value) ?? '') })),
	fc
		.uint8Array({ maxLength: 300 })
		.map((bytes) => ({ fixture: 'random bytes', body: Buffer.from(bytes) })),
	fc
		.record({
			action: fc.oneof(
				fc.constantFrom(...FIXTURES.map((f) => f.body.action as string)),
				fc.string(),
			),
			appid: fc.constantFrom('wh_appid_3f9c2a', '', 'wh_other'),
			wxid: fc.oneof(fc.constant('wxid_p9597egc5j1c21'), fc.string({ maxLength: 300 })),
			data: fc.jsonValue({ maxDepth: 4 }),
		})
		.map((value) => ({ fixture: 'random envelope', body: Buffer.from(JSON.stringify(value)) })),
);

export const anyBody: fc.Arbitrary<HostileBody> = fc.oneof(
	{ weight: 3, arbitrary: mutatedBody },
	{ weight: 1, arbitrary: randomBody },
);

/** A fixture with one field replaced by a string of 1-4 MB (ASCII or CJK, optionally XML-ish). */
export const hugeStringBody: fc.Arbitrary<HostileBody> = fc
	.tuple(
		fc.nat({ max: FIXTURES.length - 1 }),
		fc.nat(),
		fc.integer({ min: 1, max: 4 }),
		fc.constantFrom('a', '汉', '<a>', '修改群名为', '@', '\\"'),
	)
	.map(([index, pick, megabytes, unit]) => {
		const fixture = FIXTURES[index];
		const body = structuredClone(fixture.body);
		const huge = unit.repeat(Math.ceil((megabytes * 1024 * 1024) / Buffer.byteLength(unit)));
		atPath(pick, (parent, key) => void ((parent as Record<string, Json>)[key] = huge))(body);
		return {
			fixture: `${fixture.name} + ${megabytes} MB of ${unit}`,
			body: Buffer.from(JSON.stringify(body)),
		};
	});
