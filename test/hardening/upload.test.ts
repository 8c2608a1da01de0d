import fc from 'fast-check';
import type { ITriggerResponse } from 'n8n-workflow';
import { request as httpRequest } from 'node:http';

import { handleUpload } from '../../nodes/WeHub/trigger/handleUpload';
import { readMultipartUpload } from '../../nodes/WeHub/trigger/multipart';
import {
	fakeTrigger,
	freePort,
	listenerParameters,
	TempStores,
	waitForPort,
} from '../listener/harness';
import { BOT_WXID } from '../protocol/fixtures';
import { APPID, context, NOW, StoreFixture } from '../trigger/harness';
import { expectWellFormedAck } from './invariants';
import {
	BOUNDARY,
	CLOSING,
	CONTENT_TYPE,
	formBody,
	jpegBytes,
	multipartBody,
	part,
} from './multipartBodies';

/**
 * WeHub's upload URL against broken and hostile multipart bodies: every one is answered with an
 * upload_file_ack, nothing is buffered past the size limit, no file name carries a path.
 */

const FILE_INDEX = 'c3d2a1f0image';
const fixture = new StoreFixture('embedded');

/** FILE_INDEX as a reported message announced it (again before every upload: a repeat starts nothing). */
async function announce(): Promise<void> {
	const store = await fixture.store();
	await store.rememberFile({
		appid: APPID,
		bot_wxid: BOT_WXID,
		file_index: FILE_INDEX,
		state: 'reported',
		kind: 'image',
		msg_type: 3,
		room_wxid: '8680025352@chatroom',
		from_wxid: 'wxid_alice6a8kd2',
		reported_at: NOW,
	});
}

beforeAll(async () => await fixture.start());
beforeEach(async () => await announce());
afterAll(async () => await fixture.stop());

const index = { name: 'file_index', value: FILE_INDEX };
const image = { name: 'file', value: jpegBytes(), fileName: 'IMG_2041.jpg' };

async function upload(body: Buffer, contentType: string | undefined) {
	const outcome = await handleUpload(body, contentType, context(fixture));
	expectWellFormedAck(outcome.ack);
	expect(outcome.ack.ack_type).toBe('upload_file_ack');
	return outcome;
}

describe('broken uploads get an upload_file_ack with a fitting error_code', () => {
	it('accepts the well-formed upload (the baseline)', async () => {
		const outcome = await upload(formBody([index, image]), CONTENT_TYPE);
		expect(outcome.ack.error_code).toBe(0);
		expect(outcome.upload).toMatchObject({ fileIndex: FILE_INDEX, fileName: 'IMG_2041.jpg' });
	});

	it.each<[string, Buffer, string | undefined, number, string]>([
		['no file part', formBody([index]), CONTENT_TYPE, 400, 'the upload has no file field'],
		['no file_index', formBody([image]), CONTENT_TYPE, 400, 'the upload has no file_index field'],
		['no boundary in the Content-Type', formBody([index, image]), 'multipart/form-data', 400, ''],
		[
			'another boundary than the body',
			formBody([index, image]),
			'multipart/form-data; boundary=zzz',
			400,
			'',
		],
		['no Content-Type at all', formBody([index, image]), undefined, 415, ''],
		['a JSON Content-Type', formBody([index, image]), 'application/json', 415, ''],
		['an empty body', Buffer.alloc(0), CONTENT_TYPE, 400, ''],
		['a body cut in the file', formBody([index, image]).subarray(0, 400), CONTENT_TYPE, 400, ''],
		[
			'a body without the closing boundary',
			Buffer.concat([part(index), part(image)]),
			CONTENT_TYPE,
			400,
			'',
		],
		[
			'a 2 MB file_index field',
			formBody([{ name: 'file_index', value: 'i'.repeat(2 * 1024 * 1024) }, image]),
			CONTENT_TYPE,
			400,
			'the file_index field is too long',
		],
		[
			'an unknown file_index',
			formBody([{ name: 'file_index', value: 'never-announced' }, image]),
			CONTENT_TYPE,
			404,
			'unknown file_index never-announced',
		],
	])('%s', async (_, body, contentType, code, reason) => {
		const outcome = await upload(body, contentType);
		expect(outcome.ack.error_code).toBe(code);
		if (reason) expect(outcome.ack.error_reason).toBe(reason);
		expect(outcome.upload).toBeUndefined();
	});

	it('takes the first of two files and ignores the second', async () => {
		const second = { name: 'file', value: Buffer.from('second'), fileName: 'evil.exe' };
		const outcome = await upload(formBody([index, image, second]), CONTENT_TYPE);
		expect(outcome.ack.error_code).toBe(0);
		expect(outcome.upload).toMatchObject({ fileName: 'IMG_2041.jpg', data: image.value });
	});

	it('ignores a huge unrelated field without keeping it', async () => {
		const junk = { name: 'comment', value: 'x'.repeat(5 * 1024 * 1024) };
		const outcome = await upload(formBody([junk, index, image]), CONTENT_TYPE);
		expect(outcome.ack.error_code).toBe(0);
	});

	it('refuses 25 fields and more without reading them all', async () => {
		const fields = Array.from({ length: 25 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
		const outcome = await upload(formBody([...fields, index, image]), CONTENT_TYPE);
		// The 20-field limit drops later fields, file_index included: refused, never a crash.
		expect([0, 400]).toContain(outcome.ack.error_code);
	});
});

describe('file names never carry a path', () => {
	const traversal = fc.oneof(
		fc.constantFrom(
			'../../etc/passwd',
			'..\\\\..\\\\Windows\\\\win.ini',
			'/etc/shadow',
			'C:\\\\Users\\\\bot\\\\x.jpg',
			'..',
			'.',
			'a/../../b.jpg',
			'....//....//etc/passwd',
			'%2e%2e%2fetc%2fpasswd',
		),
		fc
			.array(fc.constantFrom('..', '.', 'a', 'IMG_1.jpg', '', '%2e', '\\\\', '..\\\\'), {
				minLength: 1,
				maxLength: 6,
			})
			.map((steps) => steps.join('/')),
	);

	it('strips directories from 300 hostile file names (busboy, preservePath off)', async () => {
		await fc.assert(
			fc.asyncProperty(traversal, async (name) => {
				const body = formBody([index, { ...image, fileName: name }]);
				const result = await readMultipartUpload(body, CONTENT_TYPE, 1024 * 1024);
				if (!result.ok) return; // e.g. an empty name: no file part at all
				const { fileName } = result.upload;
				expect(fileName).not.toMatch(/[/\\]/);
				expect(['.', '..', '']).not.toContain(fileName);
			}),
			{ numRuns: 300 },
		);
	});

	it('decodes RFC 5987 names before stripping, so encoded slashes do not survive', async () => {
		const head = Buffer.from(
			`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; ` +
				`filename*=UTF-8''..%2F..%2Fetc%2Fpasswd\r\nContent-Type: image/jpeg\r\n\r\n`,
		);
		const body = Buffer.concat([part(index), head, jpegBytes(), Buffer.from('\r\n'), CLOSING]);
		const result = await readMultipartUpload(body, CONTENT_TYPE, 1024 * 1024);
		expect(result).toMatchObject({ ok: true, upload: { fileName: 'passwd' } });
	});
});

describe('an upload over the size limit, over real HTTP (own listener)', () => {
	const stores = new TempStores();
	let port: number;
	let running: ITriggerResponse;

	beforeAll(async () => {
		port = await freePort();
		const credential = stores.credential();
		const trigger = fakeTrigger({
			credential,
			parameters: listenerParameters(port, { triggerOptions: { maxUploadSizeMb: 1 } }),
		});
		running = await trigger.start();
		await waitForPort(port);
	});
	afterAll(async () => {
		await running.closeFunction?.();
		await stores.cleanUp();
	});

	it('is answered 413 JSON while the client is still sending (chunked, no length)', async () => {
		const { head, contentType } = multipartBody({ fileIndex: FILE_INDEX, fileName: 'a.mp4' });
		let written = 0;
		const answer = await new Promise<{ status: number; body: string; writtenAtAnswer: number }>(
			(resolve, reject) => {
				const req = httpRequest(
					{
						host: '127.0.0.1',
						port,
						method: 'POST',
						path: '/wehub/upload',
						agent: false,
						headers: { 'content-type': contentType },
					},
					(res) => {
						const writtenAtAnswer = written;
						let text = '';
						res.on('data', (chunk: Buffer) => (text += chunk.toString()));
						res.on('end', () => {
							req.destroy();
							resolve({ status: res.statusCode ?? 0, body: text, writtenAtAnswer });
						});
					},
				);
				req.on('error', (error) => (written > 0 ? undefined : reject(error)));
				req.write(head);
				// Up to 64 MB, 64 kB at a time, as long as no answer came and the socket takes it.
				const pump = () => {
					while (written < 64 * 1024 * 1024 && !req.destroyed) {
						written += 64 * 1024;
						if (!req.write(Buffer.alloc(64 * 1024, 7))) return void req.once('drain', pump);
					}
				};
				pump();
			},
		);
		expectWellFormedAck(JSON.parse(answer.body), answer.status);
		expect(JSON.parse(answer.body)).toMatchObject({
			error_code: 413,
			ack_type: 'upload_file_ack',
			file_index: FILE_INDEX,
		});
		expect(answer.writtenAtAnswer).toBeLessThan(16 * 1024 * 1024);
	});

	it('is refused at once when Content-Length already says too much', async () => {
		const { head, contentType } = multipartBody({ fileIndex: FILE_INDEX, fileName: 'a.mp4' });
		const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
			const req = httpRequest(
				{
					host: '127.0.0.1',
					port,
					method: 'POST',
					path: '/wehub/upload',
					agent: false,
					headers: { 'content-type': contentType, 'content-length': String(500 * 1024 * 1024) },
				},
				(res) => {
					let text = '';
					res.on('data', (chunk: Buffer) => (text += chunk.toString()));
					res.on('end', () => {
						req.destroy();
						resolve({ status: res.statusCode ?? 0, body: text });
					});
				},
			);
			req.on('error', reject);
			req.write(head);
		});
		expectWellFormedAck(JSON.parse(answer.body), answer.status);
		expect(JSON.parse(answer.body)).toMatchObject({ error_code: 413 });
	});
});
