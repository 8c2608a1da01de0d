import fc from 'fast-check';

import {
	buildAck,
	buildErrorAck,
	normaliseMessage,
	parseRawXml,
	parseRequest,
} from '../../nodes/WeHub/protocol';
import { BOT_WXID } from '../protocol/fixtures';
import { anyBody, HOSTILE_XML, hugeStringBody, type HostileBody } from './hostileBodies';
import {
	elapsedMs,
	expectNoPollution,
	expectWellFormedAck,
	heapUsedMb,
	MAX_INPUT_MS,
	prototypeSnapshot,
} from './invariants';

/**
 * The pure protocol functions against thousands of hostile bodies: they never throw, always give
 * something an ack can be built from, never pollute prototypes, and stay fast.
 */

const pristine = prototypeSnapshot();

/** parseRequest + normaliseMessage of every unit, as the trigger does; returns the ack. */
function answer(body: Buffer): { ack: unknown } {
	const result = parseRequest(body);
	if (!result.ok) {
		expect([400, 413]).toContain(result.error.httpStatus);
		expect(result.error.reason).not.toBe('');
		return { ack: buildErrorAck(result.error) };
	}
	const request = result.request;
	expect(typeof request.action).toBe('string');
	expect(request.appid).not.toBe('');
	if (request.known && request.action === 'report_new_msg') {
		for (const unit of request.units) {
			const message = normaliseMessage(unit, BOT_WXID);
			expect(typeof message.kind).toBe('string');
			expect(typeof message.text).toBe('string');
			// What becomes an n8n item must survive serialisation (n8n stores execution data).
			expect(() => JSON.stringify({ ...message, raw: undefined })).not.toThrow();
		}
	}
	expect(() => JSON.stringify(request.data)).not.toThrow();
	return { ack: buildAck(request.action, undefined) };
}

function check({ body }: HostileBody): void {
	let outcome: { ack: unknown } | undefined;
	const ms = elapsedMs(() => {
		outcome = answer(body);
	});
	expectWellFormedAck(outcome!.ack);
	expect(ms).toBeLessThan(MAX_INPUT_MS);
	expectNoPollution(pristine);
}

describe('parseRequest and normaliseMessage under fuzzing', () => {
	it('answer 3,000 mutated and random bodies without throwing, polluting or stalling', () => {
		const heapBefore = heapUsedMb();
		fc.assert(fc.property(anyBody, check), { numRuns: 3_000 });
		// Nothing is kept between requests: the heap does not grow with the run.
		expect(heapUsedMb() - heapBefore).toBeLessThan(200);
	});

	it('answer bodies with a field of 1-4 MB quickly', () => {
		fc.assert(fc.property(hugeStringBody, check), { numRuns: 12 });
	});
});

describe('parseRawXml under fuzzing', () => {
	const xmlish = fc.stringMatching(
		/^(<[a-z_:]{1,8}( [a-z]{1,5}="[^"<]{0,6}")*\/?>|<\/[a-z_:]{1,8}>|<!\[CDATA\[.{0,8}\]\]>|&[a-z#0-9]{0,5};|[^<&]{0,8}|<!DOCTYPE x \[<!ENTITY e SYSTEM "file:\/\/\/etc\/passwd">\]>)*$/,
	);

	it('never throws and never expands entities on 2,000 random XML-ish strings', () => {
		fc.assert(
			fc.property(
				fc.oneof(xmlish, fc.string(), fc.constantFrom(...HOSTILE_XML)),
				fc.option(fc.constantFrom('wxid_alice6a8kd2:\n', 'gh_abc:\r\n')),
				(xml, sender) => {
					const raw = (sender ?? '') + xml;
					let result: ReturnType<typeof parseRawXml> | undefined;
					const ms = elapsedMs(() => {
						result = parseRawXml(raw);
					});
					expect(ms).toBeLessThan(MAX_INPUT_MS);
					const serialised = JSON.stringify(result);
					expect(serialised).not.toContain('root:x:0:0');
					// No entity expansion: the output is never much larger than the input.
					expect(serialised.length).toBeLessThan(raw.length * 8 + 200);
					if (result!.ok) {
						expect(typeof result!.root).toBe('string');
						expect(/<!(?:DOCTYPE|ENTITY)/i.test(raw)).toBe(false);
					} else {
						expect(result!.reason).not.toBe('');
					}
					expectNoPollution(pristine);
				},
			),
			{ numRuns: 2_000 },
		);
	});

	it.each(HOSTILE_XML.map((xml) => [xml.slice(0, 60), xml]))(
		'handles %s within the time bound',
		(_, xml) => {
			const ms = elapsedMs(() => parseRawXml(xml));
			expect(ms).toBeLessThan(MAX_INPUT_MS);
			expectNoPollution(pristine);
		},
	);

	it('refuses every DTD, so neither entity expansion nor external entities can happen', () => {
		for (const xml of HOSTILE_XML.filter((x) => /<!(?:DOCTYPE|ENTITY)/i.test(x))) {
			expect(parseRawXml(xml)).toMatchObject({ ok: false });
		}
	});
});
