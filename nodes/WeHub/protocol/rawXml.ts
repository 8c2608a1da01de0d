import { Parser } from 'xml2js';
import { readXml } from './xmlReader';

/**
 * WeChat's raw_msg XML, parsed tolerantly and safely.
 *
 * Shape of `xml` (the content of the root element), chosen to be easy to read in n8n:
 * - attributes are merged into their element (`mergeAttrs`): `<voicemsg length="9" />` gives
 *   `{length: '9'}`;
 * - an element that occurs once is a value, one that repeats is an array (`explicitArray: false`);
 * - a text-only element is its string (`<title>Hi</title>` gives `'Hi'`, `<title/>` gives `''`,
 *   CDATA included); an element with both attributes and text keeps the text under `_`.
 * All values are strings, as in the XML.
 */

/** Larger raw_msg blobs are refused: no real message unit needs more. */
export const MAX_RAW_XML_BYTES = 256 * 1024;

export type RawXmlResult =
	| { ok: true; sender?: string; root: string; xml: Record<string, unknown> }
	| { ok: false; sender?: string; text: string; reason: string };

export interface ParseRawXmlOptions {
	maxBytes?: number;
}

/**
 * Real WeChat XML is under 10 elements deep; a deeper tree would reach n8n as an item that its
 * recursive deepCopy cannot copy (a few thousand levels fit in the 256 kB above).
 */
export const MAX_RAW_XML_DEPTH = 64;
/** Names refused as element or attribute names, as parseRequest refuses them as JSON keys. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `sender_wxid:\n` before the payload of a room message (wxid_..., custom ids, v1_...@stranger). */
const SENDER_PREFIX = /^([A-Za-z0-9_\-.@]{1,128}):\r?\n/;
/** Any DTD: entity declarations are how billion-laughs and external-entity attacks start. */
const DTD_MARKER = /<!(?:DOCTYPE|ENTITY)/i;

const PARSER_OPTIONS = {
	mergeAttrs: true,
	explicitArray: false,
	explicitRoot: true,
	async: false,
	strict: true,
} as const;

function byteLengthExceeds(text: string, maxBytes: number): boolean {
	// A UTF-16 code unit is at most 3 UTF-8 bytes: skip the exact count when it cannot exceed.
	if (text.length > maxBytes) return true;
	if (text.length * 3 <= maxBytes) return false;
	return Buffer.byteLength(text, 'utf8') > maxBytes;
}

/** Splits off the `sender_wxid:\n` prefix WeChat puts in front of room messages. */
export function splitSender(raw: string): { sender?: string; body: string } {
	const match = SENDER_PREFIX.exec(raw);
	if (!match) return { body: raw };
	return { sender: match[1], body: raw.slice(match[0].length) };
}

/** Never throws: anything that is not safe, well-formed XML comes back with a reason. */
export function parseRawXml(raw: string, options: ParseRawXmlOptions = {}): RawXmlResult {
	if (typeof raw !== 'string') return { ok: false, text: '', reason: 'raw_msg is not a string' };
	const maxBytes = options.maxBytes ?? MAX_RAW_XML_BYTES;
	if (byteLengthExceeds(raw, maxBytes)) {
		return { ok: false, text: '', reason: `raw_msg is larger than ${maxBytes} bytes` };
	}
	const { sender, body } = splitSender(raw);
	const text = (body.charCodeAt(0) === 0xfeff ? body.slice(1) : body).trim();
	const withSender = (result: RawXmlResult): RawXmlResult =>
		sender === undefined ? result : { ...result, sender };

	if (!text.startsWith('<')) {
		return withSender({ ok: false, text, reason: text ? 'not XML (plain text)' : 'empty' });
	}
	// indexOf first: a plain search, and most raw_msg (no CDATA) have no "<!" at all.
	if (text.includes('<!') && DTD_MARKER.test(text)) {
		return withSender({
			ok: false,
			text,
			reason: 'XML with a DTD or entity declaration is refused',
		});
	}

	// The fast path: xmlReader.ts builds xml2js's tree for WeChat's shapes and declines the rest.
	const fast = readXml(text);
	if (fast) {
		const xml = isPlainRecord(fast.content) ? fast.content : { _: fast.content };
		// Built whole: withSender's spread-then-add costs more than reading the XML here.
		return sender === undefined
			? { ok: true, root: fast.root, xml }
			: { ok: true, root: fast.root, xml, sender };
	}

	let outcome: { error?: unknown; value?: unknown } | undefined;
	try {
		new Parser(PARSER_OPTIONS).parseString(text, (error: unknown, value: unknown) => {
			// xml2js may report a second error after the first; the first one wins.
			outcome ??= { error, value };
		});
	} catch (error) {
		outcome ??= { error };
	}
	if (!outcome || outcome.error) {
		const message = outcome?.error instanceof Error ? outcome.error.message : 'no result';
		return withSender({ ok: false, text, reason: `malformed XML: ${firstLine(message)}` });
	}
	const parsed = outcome.value;
	if (!isPlainRecord(parsed)) {
		return withSender({ ok: false, text, reason: 'malformed XML: no root element' });
	}
	const unsafe = unsafeTree(parsed);
	if (unsafe) return withSender({ ok: false, text, reason: unsafe });
	const root = Object.keys(parsed)[0];
	const content = parsed[root];
	const xml = isPlainRecord(content) ? content : { _: content ?? '' };
	return withSender({ ok: true, root, xml });
}

/** Iterative, as it must be: a recursive walk would overflow on the trees it looks for. */
function unsafeTree(tree: object): string | undefined {
	const stack: Array<[object, number]> = [[tree, 0]];
	while (stack.length > 0) {
		const [node, depth] = stack.pop()!;
		if (depth > MAX_RAW_XML_DEPTH) return `XML nested deeper than ${MAX_RAW_XML_DEPTH} levels`;
		if (!Array.isArray(node)) {
			const name = Object.keys(node).find((key) => FORBIDDEN_NAMES.has(key));
			if (name) return `XML with the forbidden name "${name}" is refused`;
		}
		for (const child of Object.values(node)) {
			if (typeof child === 'object' && child !== null) stack.push([child as object, depth + 1]);
		}
	}
	return undefined;
}

function firstLine(message: string): string {
	return message.split('\n', 1)[0];
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/* ------------------------------------------------------------------ reading the parsed tree */

function walk(node: unknown, names: string[]): unknown {
	let current: unknown = node;
	for (const name of names) {
		if (Array.isArray(current)) current = current[0];
		if (!isPlainRecord(current) || !Object.prototype.hasOwnProperty.call(current, name)) {
			return undefined;
		}
		current = current[name];
	}
	return current;
}

/** Follows element names from `node`; undefined when any step is missing. Arrays: first element. */
export function xmlPath(node: unknown, ...names: string[]): unknown {
	const value = walk(node, names);
	return Array.isArray(value) ? value[0] : value;
}

/** Every element at the path (a repeated last element gives them all). */
export function xmlAll(node: unknown, ...names: string[]): unknown[] {
	const value = walk(node, names);
	if (value === undefined) return [];
	return Array.isArray(value) ? value : [value];
}

/** The text at a path: a string element, or the `_` text of an element with attributes. */
export function xmlText(node: unknown, ...names: string[]): string | undefined {
	const value = xmlPath(node, ...names);
	if (typeof value === 'string') return value;
	if (isPlainRecord(value) && typeof value._ === 'string') return value._;
	return undefined;
}

/** A number at a path, or undefined when absent or not numeric. */
export function xmlNumber(node: unknown, ...names: string[]): number | undefined {
	const text = xmlText(node, ...names);
	if (text === undefined || text.trim() === '') return undefined;
	const value = Number(text);
	return Number.isFinite(value) ? value : undefined;
}
