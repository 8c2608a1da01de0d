/**
 * What the benchmarks read about a running n8n from /proc: which process it is, its CPU time and
 * its memory. Linux only, like the rest of the real-n8n benches.
 */
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { loadavg } from 'os';

export { n8nPid } from '../test/e2e/harness/n8nPid';

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of a process (all its threads), in milliseconds. */
export function cpuMs(pid: number): number {
	return ticksToMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** utime + stime of a process's main thread (Node's event loop) alone, in milliseconds. */
export function mainThreadCpuMs(pid: number): number {
	return ticksToMs(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
}

function ticksToMs(stat: string): number {
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// After "pid (comm) ", field 3 (state) is index 0: utime (14) and stime (15) are 11 and 12.
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

export interface Memory {
	/** Resident set size; RssAnon (heap, buffers) + RssFile (code, lmdb's mapped pages) + RssShmem. */
	rss_mb: number;
	rss_anon_mb: number;
	rss_file_mb: number;
}

/** VmRSS and its parts from /proc/<pid>/status, in MB. */
export function memory(pid: number): Memory {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
	const mb = (value: number) => Math.round((value / 1024) * 10) / 10;
	return {
		rss_mb: mb(kb('VmRSS')),
		rss_anon_mb: mb(kb('RssAnon')),
		rss_file_mb: mb(kb('RssFile')),
	};
}

/** The 1-, 5- and 15-minute load averages, rounded to hundredths. */
export function loadAverages(): number[] {
	return loadavg().map((value) => Math.round(value * 100) / 100);
}
