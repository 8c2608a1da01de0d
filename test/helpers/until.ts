/**
 * Resolves once `condition` holds, asking every `everyMs`; throws after `timeoutMs`, naming
 * `what` it waited for.
 */
export async function until(
	condition: () => boolean | Promise<boolean>,
	timeoutMs = 5_000,
	what = 'the condition',
	everyMs = 20,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}
