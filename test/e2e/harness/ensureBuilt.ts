import { spawnSync } from 'child_process';
import { existsSync, statSync } from 'fs';
import { join } from 'path';
import { REPO_ROOT, builtFiles, newestSourceMtime } from './runtime';

const SOURCE_DIRS = ['nodes', 'credentials'];

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
