/**
 * Peak memory of a 10 MB `report_contact` (what a bot with ~40,000 friends sends after login)
 * going through the trigger's `handleCallback` with a real embedded store, as RSS growth divided
 * by the body size. Each measurement runs in a fresh child process:
 * - the body is read into a Buffer first (the HTTP layer holds it before the handler runs) and
 *   the store and code paths are warmed with a small callback;
 * - then the peak-RSS mark is reset (`/proc/self/clear_refs` 5) at the current RSS, the handler
 *   runs, its outcome (ack + items) is kept alive as n8n would keep the items, and the growth is
 *   VmHWM after minus VmRSS before. VmHWM is the kernel's exact peak, including the moments the
 *   synchronous JSON.parse blocks the event loop (a timer could not sample those).
 * Measured: splitting off (one summary item) and on (one item per contact), and as a baseline
 * `JSON.parse` of the same bytes alone.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { getHeapSpaceStatistics } from 'v8';
import { join } from 'path';
import { median } from './stats';

const FRIENDS = Number(process.env.BENCH_FRIENDS ?? 40_000);
const APPID = 'wh_bench';
const BOT = 'wxid_p9597egc5j1c21';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

type Mode = 'json_parse' | 'split_none' | 'split_contact';

interface Sample {
	peak_growth_bytes: number;
	retained_growth_bytes: number;
	peak_reset: boolean;
}

/** Realistic entries: Chinese nicknames and remarks, CDN avatar URLs, some rooms and accounts. */
export function contactReportBody(friends: number): Buffer {
	const friend_list = Array.from({ length: friends }, (_, i) => ({
		wxid: `wxid_${i.toString(36).padStart(12, 'k')}`,
		wx_alias: i % 4 === 0 ? '' : `alias_${i}`,
		nickname: `好友${i} 的昵称`,
		remark_name: i % 3 === 0 ? `客户 ${i}` : '',
		head_img: `http://wx.qlogo.cn/mmhead/ver_1/${i.toString(16).padStart(40, 'a')}/132`,
		sex: i % 3,
		country: 'CN',
		province: 'Guangdong',
		city: 'Shenzhen',
	}));
	const group_list = Array.from({ length: Math.ceil(friends / 200) }, (_, r) => ({
		wxid: `${8680025352 + r}@chatroom`,
		name: `n8n 用户交流群 ${r}`,
		owner_wxid: BOT,
		member_count: 20,
		head_img: `http://wx.qlogo.cn/mmcrhead/${r.toString(16).padStart(40, 'b')}/0`,
		member_wxid_list: friend_list.slice(r * 20, r * 20 + 20).map((friend) => friend.wxid),
	}));
	const public_list = Array.from({ length: 50 }, (_, p) => ({
		wxid: `gh_${p.toString(16).padStart(12, '0')}`,
		nickname: `公众号 ${p}`,
		head_img: `http://wx.qlogo.cn/mmhead/${p.toString(16).padStart(40, 'c')}/132`,
	}));
	const data = { friend_list, group_list, public_list };
	return Buffer.from(JSON.stringify({ action: 'report_contact', appid: APPID, wxid: BOT, data }));
}

function status(field: 'VmRSS' | 'VmHWM'): number {
	const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
		readFileSync('/proc/self/status', 'utf8'),
	);
	if (!match) throw new Error(`no ${field} in /proc/self/status`);
	return Number(match[1]) * 1024;
}

/** Runs in the child: one measurement, printed as JSON. */
async function child(mode: Mode, bodyFile: string, storeFolder: string): Promise<void> {
	const { closeAllTaskStores, openTaskStore } = await import('../nodes/WeHub/store/openTaskStore');
	const { handleCallback } = await import('../nodes/WeHub/trigger/handleCallback');
	const { DEFAULT_TRIGGER_OPTIONS } = await import('../nodes/WeHub/trigger/options');
	const body = readFileSync(bodyFile);
	const store = { backend: 'embedded' as const, path: storeFolder };
	const ctx = (split: 'none' | 'contact') => ({
		settings: { appid: APPID, allowedBots: null, store },
		store: async () => await openTaskStore(store),
		options: { ...DEFAULT_TRIGGER_OPTIONS, splitContacts: split },
	});
	// Warm-up: open the store, compile the handler's paths, on a small report.
	const small = contactReportBody(50);
	await handleCallback(small, ctx('contact'));
	JSON.parse(small.toString('utf8'));

	let resetPeak = true;
	try {
		writeFileSync('/proc/self/clear_refs', '5');
	} catch {
		resetPeak = false;
	}
	const spacesBefore = Object.fromEntries(
		getHeapSpaceStatistics().map((space) => [space.space_name, space.physical_space_size]),
	);
	const before = status('VmRSS');
	const peakBefore = status('VmHWM');
	let kept: unknown;
	if (mode === 'json_parse') {
		kept = JSON.parse(body.toString('utf8'));
	} else {
		const outcome = await handleCallback(body, ctx(mode === 'split_none' ? 'none' : 'contact'));
		if (outcome.ack.error_code !== 0) throw new Error(JSON.stringify(outcome.ack));
		kept = outcome;
	}
	const peak = status('VmHWM');
	const after = status('VmRSS');
	const spaces = Object.fromEntries(
		getHeapSpaceStatistics().map((space) => [
			space.space_name,
			Math.round((space.physical_space_size - spacesBefore[space.space_name]) / 1e5) / 10,
		]),
	);
	await closeAllTaskStores();
	console.log(
		JSON.stringify({
			mode,
			body_bytes: body.length,
			peak_growth_bytes: peak - before,
			retained_growth_bytes: after - before,
			heap_space_growth_mb: spaces,
			external_mb: Math.round(process.memoryUsage().external / 1e5) / 10,
			peak_reset: resetPeak && peakBefore <= before + 64 * 1024,
			kept: kept !== undefined,
		}),
	);
}

export interface ContactReportFigures {
	contact_report_rss_ratio: number;
	body_bytes: number;
	friends: number;
	runs_per_mode: number;
	peak_rss_growth_ratio: Record<Mode, number>;
	retained_rss_growth_ratio: Record<Mode, number>;
	peak_reset_by_clear_refs: boolean;
}

/** Runs the three measurements, each in a fresh process. */
export function measureContactReport(): ContactReportFigures {
	const folder = mkdtempSync(join(tmpdir(), 'wehub-bench-contacts-'));
	try {
		const bodyFile = join(folder, 'report_contact.json');
		const body = contactReportBody(FRIENDS);
		writeFileSync(bodyFile, body);
		const hook = join(__dirname, '..', 'test', 'helpers', 'tsRequireHook.js');
		const run = (mode: Mode) =>
			JSON.parse(
				execFileSync(
					process.execPath,
					['-r', hook, __filename, '--child', mode, bodyFile, join(folder, `store-${mode}`)],
					{ encoding: 'utf8' },
				).trim(),
			) as Sample;
		const modes: Mode[] = ['json_parse', 'split_none', 'split_contact'];
		// RSS depends on when the GC happens to run: RUNS fresh processes per mode, median taken.
		const samples = Object.fromEntries(modes.map((mode) => [mode, [] as Sample[]])) as Record<
			Mode,
			Sample[]
		>;
		for (let round = 0; round < RUNS; round++) {
			for (const mode of modes) samples[mode].push(run(mode));
		}
		const results = Object.fromEntries(
			modes.map((mode) => [
				mode,
				{
					peak_growth_bytes: median(samples[mode].map((s) => s.peak_growth_bytes)),
					retained_growth_bytes: median(samples[mode].map((s) => s.retained_growth_bytes)),
					peak_reset: samples[mode].every((s) => s.peak_reset),
				},
			]),
		) as Record<Mode, Sample>;
		const ratio = (bytes: number) => Math.round((bytes / body.length) * 100) / 100;
		const peak = Object.fromEntries(
			modes.map((mode) => [mode, ratio(results[mode].peak_growth_bytes)]),
		) as Record<Mode, number>;
		return {
			contact_report_rss_ratio: Math.max(peak.split_none, peak.split_contact),
			body_bytes: body.length,
			friends: FRIENDS,
			runs_per_mode: RUNS,
			peak_rss_growth_ratio: peak,
			retained_rss_growth_ratio: Object.fromEntries(
				modes.map((mode) => [mode, ratio(results[mode].retained_growth_bytes)]),
			) as Record<Mode, number>,
			peak_reset_by_clear_refs: modes.every((mode) => results[mode].peak_reset),
		};
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

if (require.main === module) {
	const [flag, mode, bodyFile, storeFolder] = process.argv.slice(2);
	if (flag === '--child') {
		child(mode as Mode, bodyFile, storeFolder).catch((error: unknown) => {
			console.error(error);
			process.exitCode = 1;
		});
	} else {
		console.log(JSON.stringify(measureContactReport(), null, '\t'));
	}
}
