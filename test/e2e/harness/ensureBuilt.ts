import { spawnSync } from 'child_process';
import { existsSync, readdirSync, statSync } from 'fs';
import { join } from 'path';
import { REPO_ROOT, builtFiles } from './runtime';

const SOURCE_DIRS = ['nodes', 'credentials'];

function newestSourceMtime(dir: string): number {
	if (!existsSync(dir)) return 0;
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
		else if (/\.(ts|svg|png|json)$/.test(entry.name))
			newest = Math.max(newest, statSync(full).mtimeMs);
	}
	return newest;
}

/**
 * n8n loads this package from dist/: build it when a source is newer than the oldest built node
 * or credential file (`npm test` builds before jest, so this is quick then).
 */
export function ensureBuilt(log: (message: string) => void = console.log): void {
	const sources = Math.max(...SOURCE_DIRS.map((dir) => newestSourceMtime(join(REPO_ROOT, dir))));
	const built = builtFiles();
	const existing = built.filter((file) => file.exists);
	const oldestBuilt = existing.length
		? Math.min(...existing.map((file) => statSync(file.file).mtimeMs))
		: 0;
	const hasSources = built.some((file) =>
		existsSync(file.file.replace(/^(.*)\/dist\/(.*)\.js$/, '$1/$2.ts')),
	);
	if (existing.length === built.length && oldestBuilt >= sources) return;
	if (!hasSources && existing.length === 0) return; // nothing to build yet
	log('[e2e] dist/ is missing or older than the sources: npm run build');
	const result = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
	if (result.status !== 0) throw new Error('npm run build failed');
}
