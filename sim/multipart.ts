/**
 * The multipart/form-data body WeHub POSTs to the upload URL, byte for byte in the style of the
 * original document's example: a quoted `boundary_.ooo._...` boundary containing `=`, each part's
 * Content-Type before its Content-Disposition, and no space in `name="file";filename="..."`.
 */
import type { MediaFile } from './media';
import type { Random } from './random';

export interface MultipartBody {
	contentType: string;
	body: Buffer;
}

export function weHubBoundary(random: Random): string {
	const chunk = () => Buffer.from(random.digits(4)).toString('base64');
	return `boundary_.ooo._${chunk()}${chunk()}${chunk()}`;
}

export function buildUploadBody(
	fileIndex: string,
	file: MediaFile,
	boundary: string,
): MultipartBody {
	const crlf = '\r\n';
	const indexPart =
		`--${boundary}${crlf}` +
		`Content-Type: text/plain${crlf}` +
		`Content-Disposition: form-data; name="file_index"${crlf}${crlf}` +
		`${fileIndex}${crlf}`;
	const fileHead =
		`--${boundary}${crlf}` +
		`Content-Type: ${file.contentType}${crlf}` +
		`Content-Disposition: form-data; name="file";filename="${file.filename}"${crlf}${crlf}`;
	const closing = `${crlf}--${boundary}--${crlf}`;
	return {
		contentType: `multipart/form-data; boundary="${boundary}"`,
		body: Buffer.concat([
			Buffer.from(indexPart, 'utf8'),
			Buffer.from(fileHead, 'utf8'),
			file.bytes,
			Buffer.from(closing, 'utf8'),
		]),
	};
}
