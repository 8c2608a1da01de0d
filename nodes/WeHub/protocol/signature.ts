import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The login signature WeHub checks (0.2.2+): md5("wxid#nonce#secret_key") as upper-case hex.
 * Published example: fangqing_hust / helloworld / 112233 -> 4B8D798F8B34A7BD2CD3B4CBFA309D9C.
 */
export function loginSignature(wxid: string, nonce: string, secretKey: string): string {
	return createHash('md5')
		.update(`${wxid}#${nonce}#${secretKey}`, 'utf8')
		.digest('hex')
		.toUpperCase();
}

/** Case-insensitive, constant-time comparison of two hex signatures. */
export function signatureMatches(expected: string, given: string): boolean {
	if (typeof expected !== 'string' || typeof given !== 'string') return false;
	const a = Buffer.from(expected.toUpperCase(), 'utf8');
	const b = Buffer.from(given.trim().toUpperCase(), 'utf8');
	// Lengths are not secret (always 32 for a real signature); timingSafeEqual needs equal lengths.
	if (a.length !== b.length) return false;
	return timingSafeEqual(a, b);
}
