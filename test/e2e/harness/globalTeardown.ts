import { killRecordedGroups } from './processRegistry';

/** Stops any n8n a crashed test file left running. */
export default async function globalTeardown(): Promise<void> {
	const dir = process.env.WEHUB_E2E_RUN_DIR;
	if (!dir) return;
	const killed = killRecordedGroups(dir);
	if (killed > 0) console.log(`[e2e] stopped ${killed} n8n process group(s) left running`);
}
