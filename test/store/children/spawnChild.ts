import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import { join } from 'path';

const HOOK = join(__dirname, '..', '..', 'helpers', 'tsRequireHook.js');

/** Runs test/store/children/<name>.ts in a new node process (TypeScript via the require hook). */
export function spawnChild(name: string, args: string[]): ChildProcessWithoutNullStreams {
	return spawn(process.execPath, ['-r', HOOK, join(__dirname, `${name}.ts`), ...args], {
		stdio: 'pipe',
	});
}

/** Calls onLine for each complete stdout line. */
export function onLines(
	child: ChildProcessWithoutNullStreams,
	onLine: (line: string) => void,
): void {
	let rest = '';
	child.stdout.on('data', (chunk: Buffer) => {
		const lines = (rest + chunk.toString()).split('\n');
		rest = lines.pop() ?? '';
		lines.forEach(onLine);
	});
}

export function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
	return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
