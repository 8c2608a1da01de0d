/**
 * A small, strict XML reader for the shapes WeChat puts in raw_msg. It builds exactly the tree
 * xml2js builds with the options rawXml.ts uses (`mergeAttrs`, `explicitArray: false`, `strict`),
 * at a fraction of the cost, and *declines* (returns undefined) whatever it is not sure to read
 * the same way: comments, processing instructions other than a leading `<?xml ...?>`, DOCTYPE,
 * unknown or upper-case entities, non-ASCII names, names that would collide with the tree's own
 * keys (`_`) or with Object.prototype (`__proto__`, `constructor`, ...), duplicate attributes,
 * anything after the root, deep nesting. rawXml.ts then falls back to xml2js, so a decline costs
 * time, never a different result. It never throws on any string.
 *
 * Tree rules (xml2js's): attributes and child elements become keys in document order, a repeated
 * key becomes an array; the text of an element (CDATA included) is kept under `_` (first key)
 * unless it is whitespace only and came without CDATA; an element with nothing else is its text.
 */

export interface XmlTree {
	root: string;
	/** The root element's value: a string (text-only root) or an object. */
	content: unknown;
}

/**
 * Deeper nesting is declined (WeChat's raw_msg is 3-6 levels deep): with repeated elements (an
 * array per level) 20 levels stay below rawXml.ts's MAX_RAW_XML_DEPTH, which xml2js's trees meet.
 */
const MAX_DEPTH = 20;

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
	lt: '<',
	gt: '>',
	amp: '&',
	quot: '"',
	apos: "'",
};
/** As xml2js decides "no text": JavaScript's `\s`, Unicode spaces included. */
const BLANK = /^\s*$/;

/** Whitespace as sax (under xml2js) reads it in markup. */
function isSpace(c: number): boolean {
	return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNameStart(c: number): boolean {
	return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

function isNameChar(c: number): boolean {
	return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

/**
 * Names left to rawXml.ts's slow path: `_` and `cdata` collide with xml2js's own bookkeeping,
 * Object.prototype's names (`__proto__`, `constructor`, `toString`, ...) with its `in` checks,
 * and `prototype` is refused there like the others.
 */
const UNSAFE_NAMES: ReadonlySet<string> = new Set([
	'_',
	'cdata',
	'prototype',
	...Object.getOwnPropertyNames(Object.prototype),
]);
/** Bit n set when some unsafe name has length n: most names skip the set lookup. */
const UNSAFE_LENGTHS = [...UNSAFE_NAMES].reduce((bits, name) => bits | (1 << name.length), 0);

function isUnsafeName(name: string): boolean {
	return name.length < 31 && (UNSAFE_LENGTHS & (1 << name.length)) !== 0 && UNSAFE_NAMES.has(name);
}

/**
 * Element and attribute names seen before, as property keys (internalized strings). A fresh
 * slice used as a key costs V8 a string-table lookup on every access, the bulk of this reader's
 * time; WeChat repeats the same few hundred names, found here by comparing in place. Bounded,
 * so hostile input cannot grow it: past the bound new names are sliced as before.
 */
const NAME_SLOTS = 1024;
const MAX_CACHED_NAMES = 2048;
const nameSlots: Array<string[] | undefined> = new Array<string[] | undefined>(NAME_SLOTS);
let cachedNames = 0;

function nameAt(text: string, start: number, end: number): string {
	const length = end - start;
	const slot =
		(text.charCodeAt(start) * 31 + text.charCodeAt(end - 1) * 7 + length) & (NAME_SLOTS - 1);
	const candidates = nameSlots[slot];
	if (candidates !== undefined) {
		for (let k = 0; k < candidates.length; k++) {
			const name = candidates[k];
			if (name.length === length && text.startsWith(name, start)) return name;
		}
	}
	const name = text.slice(start, end);
	if (cachedNames >= MAX_CACHED_NAMES) return name;
	// A computed key internalizes the string; Object.keys hands back that internalized copy.
	const key = Object.keys({ [name]: true })[0];
	(nameSlots[slot] ??= []).push(key);
	cachedNames++;
	return key;
}

/** A code point XML allows (the `Char` production), as sax checks references. */
function isXmlChar(n: number): boolean {
	return (
		n === 0x9 ||
		n === 0xa ||
		n === 0xd ||
		(n >= 0x20 && n <= 0xd7ff) ||
		(n >= 0xe000 && n <= 0xfffd) ||
		(n >= 0x10000 && n <= 0x10ffff)
	);
}

/** Replaces the five XML entities and numeric references; undefined for anything else. */
function decodeEntities(text: string): string | undefined {
	let out = '';
	let from = 0;
	let amp = text.indexOf('&');
	while (amp !== -1) {
		const semicolon = text.indexOf(';', amp + 1);
		if (semicolon === -1 || semicolon - amp > 12) return undefined;
		const name = text.slice(amp + 1, semicolon);
		let replacement: string | undefined;
		if (name.charCodeAt(0) === 0x23 /* # */) replacement = numericReference(name);
		else if (Object.prototype.hasOwnProperty.call(NAMED_ENTITIES, name)) {
			replacement = NAMED_ENTITIES[name];
		}
		if (replacement === undefined) return undefined;
		out += text.slice(from, amp) + replacement;
		from = semicolon + 1;
		amp = text.indexOf('&', from);
	}
	return out + text.slice(from);
}

const DECIMAL = /^#[0-9]{1,7}$/;
const HEX = /^#x[0-9a-fA-F]{1,6}$/;

function numericReference(name: string): string | undefined {
	let code: number;
	if (DECIMAL.test(name)) code = parseInt(name.slice(1), 10);
	else if (HEX.test(name)) code = parseInt(name.slice(2), 16);
	else return undefined;
	return isXmlChar(code) ? String.fromCodePoint(code) : undefined;
}

/** Adds an attribute or child as xml2js does: a repeated key turns into an array. */
function addValue(element: Record<string, unknown>, key: string, value: unknown): void {
	const existing = element[key];
	if (existing === undefined) element[key] = value;
	else if (Array.isArray(existing)) existing.push(value);
	else element[key] = [existing, value];
}

/**
 * xml2js's value of a closed element: its text alone, or its keys with the text first under `_`
 * when the text counts (rare: WeChat puts text in elements without attributes or children).
 */
function elementValue(
	text: string,
	cdata: boolean,
	keys: Record<string, unknown> | undefined,
): unknown {
	if (keys === undefined) return text;
	if (!cdata && (text === '' || BLANK.test(text))) return keys;
	const value: Record<string, unknown> = { _: text };
	for (const key of Object.keys(keys)) value[key] = keys[key];
	return value;
}

/** Reads `text` (already trimmed) or declines with undefined. */
export function readXml(text: string): XmlTree | undefined {
	try {
		return read(text);
	} catch {
		// Not expected (every path checks its bounds); declining keeps parseRawXml's promise.
		return undefined;
	}
}

function read(text: string): XmlTree | undefined {
	const end = text.length;
	let i = 0;
	if (text.startsWith('<?xml') && isSpace(text.charCodeAt(5))) {
		const close = text.indexOf('?>', 6);
		if (close === -1) return undefined;
		i = close + 2;
		while (i < end && isSpace(text.charCodeAt(i))) i++;
	}
	if (text.charCodeAt(i) !== LT) return undefined;

	// The open elements, innermost last.
	const names: string[] = [];
	const texts: string[] = [];
	const cdatas: boolean[] = [];
	const elements: Array<Record<string, unknown> | undefined> = [];
	let depth = 0;

	while (i < end) {
		const c = text.charCodeAt(i);
		if (c !== LT) {
			if (depth === 0) return undefined;
			let next = text.indexOf('<', i);
			if (next === -1) next = end;
			let chunk = text.slice(i, next);
			if (chunk.indexOf('&') !== -1) {
				const decoded = decodeEntities(chunk);
				if (decoded === undefined) return undefined;
				chunk = decoded;
			}
			texts[depth - 1] += chunk;
			i = next;
			continue;
		}

		const after = text.charCodeAt(i + 1);
		if (after === BANG) {
			if (depth === 0 || !text.startsWith(CDATA_OPEN, i)) return undefined;
			const close = text.indexOf(CDATA_CLOSE, i + CDATA_OPEN.length);
			if (close === -1) return undefined;
			if (close > i + CDATA_OPEN.length) {
				texts[depth - 1] += text.slice(i + CDATA_OPEN.length, close);
				cdatas[depth - 1] = true;
			}
			i = close + CDATA_CLOSE.length;
			continue;
		}
		if (after === QUESTION) return undefined;

		if (after === SLASH) {
			// </name ws*>
			if (depth === 0) return undefined;
			const name = names[depth - 1];
			if (!text.startsWith(name, i + 2)) return undefined;
			let j = i + 2 + name.length;
			while (j < end && isSpace(text.charCodeAt(j))) j++;
			if (text.charCodeAt(j) !== GT) return undefined;
			i = j + 1;
			depth--;
			const value = elementValue(texts[depth], cdatas[depth], elements[depth]);
			if (depth === 0) {
				while (i < end && isSpace(text.charCodeAt(i))) i++;
				return i === end ? { root: name, content: value } : undefined;
			}
			addValue((elements[depth - 1] ??= {}), name, value);
			continue;
		}

		// <name (ws+ attr ws* = ws* "value")* ws* /?>
		if (!isNameStart(after)) return undefined;
		let j = i + 2;
		while (j < end && isNameChar(text.charCodeAt(j))) j++;
		const name = nameAt(text, i + 1, j);
		if (isUnsafeName(name)) return undefined;
		let attributes: Record<string, unknown> | undefined;
		let selfClosing = false;
		for (;;) {
			const beforeSpace = j;
			while (j < end && isSpace(text.charCodeAt(j))) j++;
			const k = text.charCodeAt(j);
			if (k === GT) {
				j++;
				break;
			}
			if (k === SLASH) {
				if (text.charCodeAt(j + 1) !== GT) return undefined;
				j += 2;
				selfClosing = true;
				break;
			}
			if (j === beforeSpace || !isNameStart(k)) return undefined;
			const nameStart = j;
			while (j < end && isNameChar(text.charCodeAt(j))) j++;
			const attribute = nameAt(text, nameStart, j);
			if (isUnsafeName(attribute)) return undefined;
			while (j < end && isSpace(text.charCodeAt(j))) j++;
			if (text.charCodeAt(j) !== EQUALS) return undefined;
			j++;
			while (j < end && isSpace(text.charCodeAt(j))) j++;
			const quote = text.charCodeAt(j);
			if (quote !== DOUBLE_QUOTE && quote !== SINGLE_QUOTE) return undefined;
			const valueEnd = text.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", j + 1);
			if (valueEnd === -1) return undefined;
			let value = text.slice(j + 1, valueEnd);
			if (value.indexOf('&') !== -1) {
				const decoded = decodeEntities(value);
				if (decoded === undefined) return undefined;
				value = decoded;
			}
			// sax keeps the first of duplicate attributes; rare enough to leave to xml2js.
			if (attributes === undefined) attributes = {};
			else if (attributes[attribute] !== undefined) return undefined;
			attributes[attribute] = value;
			j = valueEnd + 1;
		}
		i = j;

		if (selfClosing) {
			const value = elementValue('', false, attributes);
			if (depth === 0) {
				while (i < end && isSpace(text.charCodeAt(i))) i++;
				return i === end ? { root: name, content: value } : undefined;
			}
			addValue((elements[depth - 1] ??= {}), name, value);
			continue;
		}
		if (depth === MAX_DEPTH) return undefined;
		names[depth] = name;
		texts[depth] = '';
		cdatas[depth] = false;
		elements[depth] = attributes;
		depth++;
	}
	return undefined;
}
