import FormData from 'form-data';
import { Readable } from 'node:stream';

import { handleCallback } from '../../nodes/WeHub/trigger/handleCallback';
import { handleMedia } from '../../nodes/WeHub/trigger/handleMedia';
import { handleUpload } from '../../nodes/WeHub/trigger/handleUpload';
import { ALICE_WXID, BOT_WXID, ROOM_WXID } from '../protocol/fixtures';
import { APPID, context, NOW, StoreFixture } from './harness';

const FILE_INDEX = '3053020100044c304a0201000204';
/** The first bytes of a JPEG, enough for a realistic upload body. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)]);

function upload(fields: { file_index?: string; file?: Buffer; fileName?: string }) {
	const form = new FormData();
	if (fields.file_index !== undefined) form.append('file_index', fields.file_index);
	if (fields.file) {
		form.append('file', fields.file, {
			filename: fields.fileName ?? '图片.jpg',
			contentType: 'image/jpeg',
		});
	}
	return { body: form.getBuffer(), contentType: form.getHeaders()['content-type'] as string };
}

describe('handleUpload', () => {
	const fixture = new StoreFixture('embedded');
	beforeAll(async () => await fixture.start());
	afterAll(async () => await fixture.stop());
	beforeEach(async () => {
		fixture.fresh();
		await (
			await fixture.store()
		).rememberFile({
			appid: APPID,
			bot_wxid: BOT_WXID,
			file_index: FILE_INDEX,
			state: 'reported',
			kind: 'image',
			msg_type: 3,
			msg_id: '5566778899',
			room_wxid: ROOM_WXID,
			from_wxid: ALICE_WXID,
			reported_at: NOW - 5000,
		});
	});

	it('answers upload_file_ack and emits the file with the message it came from', async () => {
		const { body, contentType } = upload({ file_index: FILE_INDEX, file: JPEG });
		const outcome = await handleUpload(body, contentType, context(fixture));
		expect(outcome.ack).toEqual({
			error_code: 0,
			error_reason: '',
			ack_type: 'upload_file_ack',
			file_index: FILE_INDEX,
			data: {},
		});
		expect(outcome.upload).toEqual({
			fileIndex: FILE_INDEX,
			fileName: '图片.jpg',
			mimeType: 'image/jpeg',
			data: JPEG,
		});
		expect(outcome.item).toMatchObject({
			event: 'file_uploaded',
			appid: APPID,
			bot_wxid: BOT_WXID,
			file_index: FILE_INDEX,
			file_name: '图片.jpg',
			mime_type: 'image/jpeg',
			size: JPEG.length,
			known_file: true,
			kind: 'image',
			chat: 'room',
			room_wxid: ROOM_WXID,
			from_wxid: ALICE_WXID,
			reply_to: ROOM_WXID,
		});
		expect((await (await fixture.store()).getFile(APPID, FILE_INDEX))?.state).toBe('uploaded');
	});

	it('reads the request stream itself without buffering it first', async () => {
		const { body, contentType } = upload({ file_index: FILE_INDEX, file: JPEG });
		const stream = Readable.from([body.subarray(0, 100), body.subarray(100)]);
		const outcome = await handleUpload(stream, contentType, context(fixture));
		expect(outcome.upload?.data).toEqual(JPEG);
	});

	it('refuses an unknown file_index unless allowed', async () => {
		const { body, contentType } = upload({ file_index: 'never-reported', file: JPEG });
		const refused = await handleUpload(body, contentType, context(fixture));
		expect(refused.ack).toMatchObject({
			error_code: 404,
			ack_type: 'upload_file_ack',
			file_index: 'never-reported',
		});
		expect(refused.item).toBeUndefined();

		const allowed = await handleUpload(
			body,
			contentType,
			context(fixture, { allowUnknownUploads: true }),
		);
		expect(allowed.ack.error_code).toBe(0);
		expect(allowed.item).toMatchObject({
			known_file: false,
			bot_wxid: '',
			kind: null,
			reply_to: null,
		});
	});

	it.each([
		[
			'a file over the size limit',
			{ file_index: FILE_INDEX, file: JPEG },
			{ maxUploadBytes: 1024 },
			413,
		],
		['no file_index', { file: JPEG }, {}, 400],
		['no file', { file_index: FILE_INDEX }, {}, 400],
	])('refuses %s', async (_name, fields, options, code) => {
		const { body, contentType } = upload(fields);
		const outcome = await handleUpload(body, contentType, context(fixture, options));
		expect(outcome.ack.ack_type).toBe('upload_file_ack');
		expect(outcome.ack.error_code).toBe(code);
		expect(outcome.item).toBeUndefined();
	});

	it('refuses a body that is not multipart', async () => {
		const outcome = await handleUpload(
			Buffer.from('{"file_index":"x"}'),
			'application/json',
			context(fixture),
		);
		expect(outcome.ack.error_code).toBe(415);
	});

	it('answers a repeated upload of the same file_index with the same ack and emits it once', async () => {
		const { body, contentType } = upload({ file_index: FILE_INDEX, file: JPEG });
		const first = await handleUpload(body, contentType, context(fixture));
		const again = await handleUpload(body, contentType, context(fixture));
		expect(again.ack).toEqual(first.ack);
		expect(first.item).toBeDefined();
		expect(again.item).toBeUndefined();
		expect(again.upload).toBeUndefined();
	});

	it('emits one of two concurrent uploads of the same file', async () => {
		const { body, contentType } = upload({ file_index: FILE_INDEX, file: JPEG });
		const outcomes = await Promise.all([
			handleUpload(body, contentType, context(fixture)),
			handleUpload(body, contentType, context(fixture)),
		]);
		expect(outcomes.map((outcome) => outcome.ack.error_code)).toEqual([0, 0]);
		expect(outcomes.filter((outcome) => outcome.item)).toHaveLength(1);
	});

	it('also starts nothing for a repeat of an allowed upload nobody announced', async () => {
		const { body, contentType } = upload({ file_index: 'never-announced', file: JPEG });
		const ctx = () => context(fixture, { allowUnknownUploads: true });
		const first = await handleUpload(body, contentType, ctx());
		const again = await handleUpload(body, contentType, ctx());
		expect(first.item).toMatchObject({ known_file: false });
		expect(again).toEqual({ ack: first.ack });
	});

	it('replies in the WeCom room an image was reported in', async () => {
		await handleCallback(
			Buffer.from(
				JSON.stringify({
					action: 'report_new_msg',
					appid: APPID,
					wxid: BOT_WXID,
					data: {
						msg: {
							msg_type: 3,
							room_wxid: '',
							wxid_from: 'wangwei@openim',
							wxid_to: '10696052955016166@im.chatroom',
							file_index: 'wecom-image',
						},
					},
				}),
			),
			context(fixture),
		);
		const { body, contentType } = upload({ file_index: 'wecom-image', file: JPEG });
		const outcome = await handleUpload(body, contentType, context(fixture));
		expect(outcome.item).toMatchObject({
			chat: 'room',
			room_wxid: '10696052955016166@im.chatroom',
			reply_to: '10696052955016166@im.chatroom',
		});
	});

	it('acks but emits nothing when File Uploaded is not selected', async () => {
		const { body, contentType } = upload({ file_index: FILE_INDEX, file: JPEG });
		const outcome = await handleUpload(
			body,
			contentType,
			context(fixture, { events: ['message'] }),
		);
		expect(outcome.ack.error_code).toBe(0);
		expect(outcome.item).toBeUndefined();
	});
});

describe('handleMedia', () => {
	const fixture = new StoreFixture('embedded');
	beforeAll(async () => {
		await fixture.start();
		await (
			await fixture.store()
		).putMedia({
			id: 'm_7f3a9c',
			appid: APPID,
			mime_type: 'video/mp4',
			file_name: '演示 video.mp4',
			data: JPEG,
			created_at: NOW,
			expires_at: NOW + 3_600_000,
		});
	});
	afterAll(async () => await fixture.stop());

	it.each(['m_7f3a9c', 'm_7f3a9c.mp4'])('serves %s with its MIME type', async (id) => {
		const response = await handleMedia(id, APPID, await fixture.store(), NOW);
		expect(response.status).toBe(200);
		expect(response.body).toEqual(JPEG);
		expect(response.headers).toMatchObject({
			'content-type': 'video/mp4',
			'content-length': String(JPEG.length),
			'content-disposition': "inline; filename*=UTF-8''%E6%BC%94%E7%A4%BA%20video.mp4",
		});
	});

	it.each([
		['an unknown id', 'm_unknown', APPID, NOW],
		['an expired id', 'm_7f3a9c', APPID, NOW + 3_600_001],
		['another app’s media', 'm_7f3a9c', 'other_app', NOW],
		['no id', undefined, APPID, NOW],
	])('answers 404 JSON for %s', async (_name, id, appid, now) => {
		const response = await handleMedia(id, appid, await fixture.store(), now);
		expect(response.status).toBe(404);
		expect(response.headers['content-type']).toMatch(/^application\/json/);
		expect(response.body).toMatchObject({ error_code: 404 });
	});
});
