import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ensureBuilt } from './ensureBuilt';
import { setRunDir } from './processRegistry';
import { ensureN8nInstalled } from './runtime';

/**
 * Jest globalSetup of the e2e project: installs the pinned n8n once (minutes on a fresh clone,
 * with progress in the log; instant afterwards) and builds dist/ when it is stale.
 */
export default async function globalSetup(): Promise<void> {
	const started = Date.now();
	const paths = await ensureN8nInstalled({ log: (message) => console.log(`[e2e] ${message}`) });
	ensureBuilt();
	setRunDir(mkdtempSync(join(tmpdir(), 'wehub-e2e-run-')));
	console.log(`[e2e] n8n ${paths.version} on Node 24 ready (${Date.now() - started} ms)`);
}
