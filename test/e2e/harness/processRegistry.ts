import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';

/**
 * Every n8n the harness starts is recorded (its process group id) in a folder of the current jest
 * run, so that globalTeardown can stop what a crashed test file left behind, and each worker
 * stops its own children when it exits. A process group includes n8n's task runners.
 */
const RUN_DIR_ENV = 'WEHUB_E2E_RUN_DIR';
const liveGroups = new Set<number>();

function runDir(): string | undefined {
	return process.env[RUN_DIR_ENV];
}

export function setRunDir(dir: string): void {
	mkdirSync(dir, { recursive: true });
	process.env[RUN_DIR_ENV] = dir;
}

export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch {
		return false; // already gone
	}
}

export function registerGroup(pgid: number): void {
	liveGroups.add(pgid);
	const dir = runDir();
	if (dir) writeFileSync(join(dir, `${pgid}.pid`), String(pgid));
}

export function forgetGroup(pgid: number): void {
	liveGroups.delete(pgid);
	const dir = runDir();
	if (dir) rmSync(join(dir, `${pgid}.pid`), { force: true });
}

/** Kills every group recorded for this jest run; returns how many were still alive. */
export function killRecordedGroups(dir: string): number {
	let killed = 0;
	let files: string[];
	try {
		files = readdirSync(dir);
	} catch {
		return 0;
	}
	for (const file of files) {
		const pgid = Number(readFileSync(join(dir, file), 'utf8'));
		if (pgid > 0 && killGroup(pgid, 'SIGKILL')) killed++;
	}
	rmSync(dir, { recursive: true, force: true });
	return killed;
}

process.on('exit', () => {
	for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
});
