/** Hand-built multipart/form-data bodies, so tests can break them in ways form-data cannot. */

export const BOUNDARY = '----WeHubUploadBoundary7MA4YWxkTrZu0gW';
export const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

export interface Part {
	name: string;
	value: Buffer | string;
	/** Present for file parts (the Content-Disposition filename, as sent). */
	fileName?: string;
	mimeType?: string;
}

export function part(part: Part): Buffer {
	const file = part.fileName === undefined ? '' : `; filename="${part.fileName}"`;
	const type =
		part.fileName === undefined ? '' : `Content-Type: ${part.mimeType ?? 'image/jpeg'}\r\n`;
	return Buffer.concat([
		Buffer.from(
			`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${file}\r\n${type}\r\n`,
		),
		Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value),
		Buffer.from('\r\n'),
	]);
}

export const CLOSING = Buffer.from(`--${BOUNDARY}--\r\n`);

/** A complete body from parts. */
export function formBody(parts: Part[]): Buffer {
	return Buffer.concat([...parts.map(part), CLOSING]);
}

/** WeHub's upload as it starts on the wire: the file_index field, then the file part's headers. */
export function multipartBody(options: {
	fileIndex: string;
	fileName: string;
	mimeType?: string;
}): { head: Buffer; contentType: string } {
	const index = part({ name: 'file_index', value: options.fileIndex });
	const fileHead = Buffer.from(
		`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${options.fileName}"\r\n` +
			`Content-Type: ${options.mimeType ?? 'video/mp4'}\r\n\r\n`,
	);
	return { head: Buffer.concat([index, fileHead]), contentType: CONTENT_TYPE };
}

/** A small JPEG-looking payload (SOI marker, JFIF header, EOI). */
export function jpegBytes(size = 2048): Buffer {
	const data = Buffer.alloc(size, 0x5a);
	Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]).copy(data);
	data[size - 2] = 0xff;
	data[size - 1] = 0xd9;
	return data;
}
