/**
 * `npm run bench:core`: the protocol core's CPU cost (below) and the peak memory of a 10 MB
 * report_contact (bench/contactReport.ts); writes `core_vs_json_parse`, `core_cpu`,
 * `contact_report_rss_ratio` and `contact_report_rss` into bench/results.json (other keys kept).
 *
 * The protocol core's CPU cost on realistic traffic: `parseRequest` + `normaliseMessage` (which
 * parses raw_msg XML) over a weighted mix of the fixture callbacks, divided by the cost of
 * `JSON.parse` of the same bytes (decoded from the same Buffers), in the same run.
 *
 * Fairness: both sides start from the Buffer the HTTP layer hands over, so both decode UTF-8.
 * Each round alternates the two sides pass by pass (one pass = the whole mix once), so both meet
 * the same load on a shared machine; a ratio is taken per round and the median reported.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { normaliseMessage } from '../nodes/WeHub/protocol/message';
import { parseRequest } from '../nodes/WeHub/protocol/request';
import { measureContactReport } from './contactReport';
import { median } from './stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
/** Passes over the mix per side and round. */
const PASSES = Number(process.env.BENCH_PASSES ?? 400);
const REQUESTS = join(__dirname, '..', 'test', 'fixtures', 'requests');
const RESULTS = join(__dirname, 'results.json');

/**
 * Callbacks per 100, as a busy bot sends them: WeHub polls pull_task every few seconds per bot,
 * most messages are text, then images; XML kinds (voice, emoji, links, cards, ...) are a few.
 */
export const TRAFFIC_MIX: ReadonlyArray<readonly [fixture: string, per100: number]> = [
	['pull_task.json', 40],
	['report_new_msg.text.private.json', 9],
	['report_new_msg.text.room.mentions.json', 9],
	['report_new_msg.text.self.json', 9],
	['report_new_msg.text.room.legacy_0.1.3.json', 9],
	['report_new_msg.image.room.json', 8],
	['report_new_msg.system.member_invited.json', 2],
	['report_new_msg.system.room_renamed.json', 1],
	['report_task_result.success.json', 2],
	// XML kinds: 11 per 100.
	['report_new_msg.voice.room.sender_prefix.json', 2],
	['report_new_msg.emoji.room.json', 2],
	['report_new_msg.link.private.cdata.json', 1],
	['report_new_msg.link.room_invitation.json', 1],
	['report_new_msg.card.private.json', 1],
	['report_new_msg.video.room.json', 1],
	['report_new_msg.file.room.json', 1],
	['report_new_msg.mini_program.room.json', 1],
	['report_new_msg.transfer.received_pending.json', 1],
];

const BOT = 'wxid_p9597egc5j1c21';

/** The mix as Buffers, interleaved deterministically (not grouped by kind). */
export function trafficBodies(): Buffer[] {
	const bodies: Buffer[] = [];
	const remaining = TRAFFIC_MIX.map(([name, count]) => ({
		body: readFileSync(join(REQUESTS, name)),
		count,
	}));
	while (remaining.some((entry) => entry.count > 0)) {
		for (const entry of remaining) {
			if (entry.count > 0) {
				bodies.push(entry.body);
				entry.count--;
			}
		}
	}
	return bodies;
}

let sink = 0;

function jsonParse(bodies: Buffer[]): void {
	for (const body of bodies) {
		const parsed = JSON.parse(body.toString('utf8')) as { action: string };
		sink += parsed.action.length;
	}
}

function core(bodies: Buffer[]): void {
	for (const body of bodies) {
		const result = parseRequest(body);
		if (!result.ok) throw new Error(result.error.reason);
		const request = result.request;
		if (request.known && request.action === 'report_new_msg') {
			for (const unit of request.units) sink += normaliseMessage(unit, BOT).text.length;
		} else {
			sink += request.action.length;
		}
	}
}

function timePass(run: (bodies: Buffer[]) => void, bodies: Buffer[]): number {
	const started = process.hrtime.bigint();
	run(bodies);
	return Number(process.hrtime.bigint() - started) / 1e6;
}

export interface CoreFigures {
	core_vs_json_parse: number;
	callbacks_per_pass: number;
	bytes_per_pass: number;
	rounds: number;
	passes_per_round: number;
	median_us_per_callback: { json_parse: number; core: number };
	round_ratios: number[];
}

export function measureCore(): CoreFigures {
	const bodies = trafficBodies();
	// Warm-up: let both paths reach optimised code before timing.
	for (let i = 0; i < 200; i++) {
		jsonParse(bodies);
		core(bodies);
	}
	const ratios: number[] = [];
	const jsonMs: number[] = [];
	const coreMs: number[] = [];
	for (let round = 0; round < ROUNDS; round++) {
		// Pass by pass, alternating which side goes first: on a shared machine both sides then
		// meet the same load, which drifts over seconds.
		let json = 0;
		let ours = 0;
		for (let pass = 0; pass < PASSES; pass++) {
			if (pass % 2 === 0) {
				json += timePass(jsonParse, bodies);
				ours += timePass(core, bodies);
			} else {
				ours += timePass(core, bodies);
				json += timePass(jsonParse, bodies);
			}
		}
		jsonMs.push(json);
		coreMs.push(ours);
		ratios.push(ours / json);
	}
	const perCallback = (ms: number) =>
		Math.round(((ms * 1000) / (PASSES * bodies.length)) * 100) / 100;
	return {
		core_vs_json_parse: Math.round(median(ratios) * 100) / 100,
		callbacks_per_pass: bodies.length,
		bytes_per_pass: bodies.reduce((sum, body) => sum + body.length, 0),
		rounds: ROUNDS,
		passes_per_round: PASSES,
		median_us_per_callback: {
			json_parse: perCallback(median(jsonMs)),
			core: perCallback(median(coreMs)),
		},
		round_ratios: ratios.map((ratio) => Math.round(ratio * 100) / 100),
	};
}

/** Read, merge, write at once: other benchmarks write their own keys into the same file. */
function recordResults(keys: Record<string, unknown>): void {
	const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
	writeFileSync(RESULTS, `${JSON.stringify({ ...results, ...keys }, null, '\t')}\n`);
}

if (require.main === module) {
	const { core_vs_json_parse, ...cpu } = measureCore();
	console.log(`core_vs_json_parse = ${core_vs_json_parse}`, JSON.stringify(cpu));
	const { contact_report_rss_ratio, ...rss } = measureContactReport();
	console.log(`contact_report_rss_ratio = ${contact_report_rss_ratio}`, JSON.stringify(rss));
	recordResults({
		core_vs_json_parse,
		core_cpu: { ...cpu, mix_per_100: Object.fromEntries(TRAFFIC_MIX) },
		contact_report_rss_ratio,
		contact_report_rss: rss,
	});
	if (sink === 0) console.log('(nothing measured)');
}
