import busboy from 'busboy';
import { Readable } from 'node:stream';

import { MAX_KEY_FIELD_BYTES } from '../protocol/request';
import { errorMessage } from '../shared/errorMessage';

/** The one file of a WeHub upload (`file_index` text field + `file` file field). */
export interface UploadedFile {
	fileIndex: string;
	fileName: string;
	mimeType: string;
	data: Buffer;
}

export type MultipartResult =
	| { ok: true; upload: UploadedFile }
	| { ok: false; status: number; reason: string; fileIndex?: string };

/**
 * Reads a multipart/form-data upload from the raw body (a Buffer, or the request stream itself so
 * a large video is never held twice). Stops reading at `maxBytes`.
 */
export async function readMultipartUpload(
	body: Buffer | Readable,
	contentType: string | undefined,
	maxBytes: number,
): Promise<MultipartResult> {
	if (!contentType || !/^multipart\/form-data/i.test(contentType)) {
		return { ok: false, status: 415, reason: 'the upload must be multipart/form-data' };
	}
	let parser: busboy.Busboy;
	try {
		parser = busboy({
			headers: { 'content-type': contentType },
			defParamCharset: 'utf8',
			// file_index is the only field read; 64 kB per field bounds what junk fields cost.
			limits: { files: 1, fields: 20, fileSize: maxBytes, fieldSize: 64 * 1024 },
		});
	} catch (error) {
		return { ok: false, status: 400, reason: `unreadable multipart body: ${errorMessage(error)}` };
	}

	return await new Promise<MultipartResult>((resolve) => {
		let fileIndex: string | undefined;
		let file: Omit<UploadedFile, 'fileIndex'> | undefined;
		let tooLarge = false;
		let settled = false;
		const finish = (result: MultipartResult) => {
			if (settled) return;
			settled = true;
			resolve(result);
		};

		let indexTooLong = false;
		parser.on('field', (name, value, info) => {
			if (name !== 'file_index') return;
			// It becomes a store key (see MAX_KEY_FIELD_BYTES): refuse rather than fail in the store.
			indexTooLong = info.valueTruncated || Buffer.byteLength(value) > MAX_KEY_FIELD_BYTES;
			fileIndex = indexTooLong ? undefined : value.trim();
		});
		parser.on('file', (name, stream, info) => {
			if (name !== 'file' || file) {
				stream.resume();
				return;
			}
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			// A body cut off mid-file errors this stream too: unhandled, that would crash n8n. The
			// parser's own 'error' below answers it.
			stream.on('error', () => undefined);
			stream.on('limit', () => {
				// Answer now and keep nothing: busboy discards the rest of the body as it drains.
				tooLarge = true;
				chunks.length = 0;
				finish(tooLargeResult());
			});
			stream.on('close', () => {
				file = {
					fileName: info.filename || 'upload',
					mimeType: info.mimeType || 'application/octet-stream',
					data: Buffer.concat(chunks),
				};
			});
		});
		parser.on('error', (error) =>
			finish({
				ok: false,
				status: 400,
				reason: `unreadable multipart body: ${errorMessage(error)}`,
				fileIndex,
			}),
		);
		const tooLargeResult = (): MultipartResult => ({
			ok: false,
			status: 413,
			reason: `the file is larger than ${maxBytes} bytes`,
			fileIndex,
		});
		parser.on('close', () => {
			if (tooLarge) {
				finish(tooLargeResult());
			} else if (indexTooLong) {
				finish({ ok: false, status: 400, reason: 'the file_index field is too long' });
			} else if (!fileIndex) {
				finish({ ok: false, status: 400, reason: 'the upload has no file_index field' });
			} else if (!file) {
				finish({ ok: false, status: 400, reason: 'the upload has no file field', fileIndex });
			} else {
				finish({ ok: true, upload: { fileIndex, ...file } });
			}
		});

		const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
		source.on('error', (error) =>
			finish({
				ok: false,
				status: 400,
				reason: `the upload was interrupted: ${errorMessage(error)}`,
				fileIndex,
			}),
		);
		source.pipe(parser);
	});
}
