/** The message of anything thrown, for acks and logs (a rejected promise may carry a non-Error). */
export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
