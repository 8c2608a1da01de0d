/** The listener could not open its port; the message names the address and the fix. */
export class ListenerBindError extends Error {
	constructor(
		readonly address: string,
		readonly code: string | undefined,
		message: string,
	) {
		super(message);
		this.name = 'ListenerBindError';
	}
}

/** Turns a `listen` error into a message a user can act on. */
export function bindErrorFor(address: string, error: NodeJS.ErrnoException): ListenerBindError {
	const fixes: Record<string, string> = {
		EADDRINUSE:
			'another program (or another workflow or n8n process) already listens there. Pick a free port in the WeHub Trigger, or stop the other listener',
		EACCES:
			'this user may not open that port (ports below 1024 need privileges). Pick a port above 1024',
		EADDRNOTAVAIL:
			'that host is not an address of this machine. Use 0.0.0.0 (every interface) or one of its own addresses',
	};
	const fix = fixes[error.code ?? ''] ?? error.message;
	return new ListenerBindError(
		address,
		error.code,
		`The WeHub listener cannot listen on ${address}: ${fix}.`,
	);
}
