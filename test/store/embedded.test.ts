import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EmbeddedTaskStore } from '../../nodes/WeHub/store/EmbeddedTaskStore';
import { taskStoreContract } from './contract';

const folders: string[] = [];

afterAll(() => {
	for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

taskStoreContract('embedded (lmdb)', async (limits) => {
	const path = mkdtempSync(join(tmpdir(), 'wehub-store-'));
	folders.push(path);
	return new EmbeddedTaskStore({ path, limits, sweepEveryMs: 0 });
});
