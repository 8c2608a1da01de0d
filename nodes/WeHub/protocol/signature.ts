import { createHash } from 'node:crypto';

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
