import { readdirSync, readFileSync } from 'fs';

/**
 * The n8n server process the harness started on this port: the `n8n start` process with the port
 * in its environment (startN8n's child is a wrapper around it). Linux only: read from /proc.
 */
export function n8nPid(port: number): number {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (!cmdline.some((arg) => arg.endsWith('n8n')) || !cmdline.includes('start')) continue;
			const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
			if (environ.includes(`N8N_PORT=${port}`)) return Number(entry);
		} catch {
			// the process ended, or is not ours to read
		}
	}
	throw new Error(`no n8n process listening on port ${port}`);
}
