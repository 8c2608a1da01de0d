import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { join } from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { MAX_MEDIA_BYTES } from '../../../nodes/WeHub/actions/shared/media';
import { MEDIA_BASE_URL_SETTING } from '../../../nodes/WeHub/shared/mediaBaseUrl';
import { closeAllTaskStores } from '../../../nodes/WeHub/store/openTaskStore';
import type { TaskStore } from '../../../nodes/WeHub/store/TaskStore';
import { handleMedia } from '../../../nodes/WeHub/trigger/handleMedia';
import { binaryData, embeddedCredential, runNode, storeFor, tempStoreFolder } from './harness';

const BOT = 'wxid_bot_shop01';
const ROOM = '17950482733@chatroom';

/** The smallest valid PNG (1x1), as an image node would produce it. */
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

const folder = tempStoreFolder();
let server: Server;
let mediaBaseUrl: string;
let stores: Map<string, TaskStore>;

/** The trigger's media route over real HTTP: GET /<appid>/media/:id -> handleMedia. */
beforeAll(async () => {
	stores = new Map();
	server = createServer((request, response) => {
		const match = /^\/([^/]+)\/media\/([^/?]+)$/.exec(request.url ?? '');
		const store = match && stores.get(match[1]);
		if (!match || !store || request.method !== 'GET') {
			response.writeHead(404).end();
			return;
		}
		void handleMedia(decodeURIComponent(match[2]), match[1], store).then((media) => {
			response.writeHead(media.status, media.headers);
			response.end(Buffer.isBuffer(media.body) ? media.body : JSON.stringify(media.body));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	mediaBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
	await closeAllTaskStores();
	folder.remove();
});

let apps = 0;
/**
 * A fresh appid; `withTrigger` records the media URL as an activated WeHub Trigger does. `alone`
 * gives it a store of its own, so that a sweep counts its records only.
 */
async function setUp(withTrigger = true, alone = false) {
	const appId = `app-media-${++apps}`;
	const credential = embeddedCredential(appId, alone ? join(folder.path, appId) : folder.path);
	const store = await storeFor(credential);
	stores.set(credential.appId, store);
	await store.recordLogin({ appid: credential.appId, wxid: BOT }, { client_version: '0.4.26' });
	if (withTrigger) {
		await store.putSetting(
			credential.appId,
			MEDIA_BASE_URL_SETTING,
			`${mediaBaseUrl}/${credential.appId}/media`,
		);
	}
	return { credential, store };
}

async function sendBinary(
	credential: IDataObject,
	unit: IDataObject,
	binary: INodeExecutionData['binary'],
	options: IDataObject = {},
) {
	const [output] = await runNode(credential, {
		items: [{ json: { order_id: 'A-1001' }, binary }],
		parameters: {
			resource: 'message',
			operation: 'send',
			botWxid: BOT,
			sendTo: 'wxid',
			toWxid: ROOM,
			messages: { unit: [{ source: 'binary', binaryPropertyName: 'data', ...unit }] },
			options,
		},
	});
	return (output.json.task as { task_dict: { msg_list: IDataObject[] } }).task_dict.msg_list[0];
}

describe('Message › Send with binary data', () => {
	it('stores an image under an unguessable id and WeHub can download it over HTTP', async () => {
		const { credential, store } = await setUp();
		const before = Date.now();
		const unit = await sendBinary(
			credential,
			{ type: 'image' },
			{
				data: binaryData(PNG, 'image/png', 'receipt.png'),
			},
		);

		const url = unit.msg as string;
		expect(unit.msg_type).toBe(3);
		expect(url).toMatch(
			new RegExp(`^${mediaBaseUrl}/${credential.appId}/media/[0-9a-f]{32}\\.png$`),
		);
		const id = /([0-9a-f]{32})\.png$/.exec(url)![1];
		const record = await store.getMedia(id);
		expect(record).toMatchObject({
			appid: credential.appId,
			mime_type: 'image/png',
			file_name: 'receipt.png',
		});
		expect(record!.data.equals(PNG)).toBe(true);
		// Default lifetime: 24 hours.
		expect(record!.expires_at).toBeGreaterThanOrEqual(before + 24 * 3_600_000);

		const response = await fetch(url);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true);
	});

	it('sends a file through the video unit, hiding an .mp4 extension so it stays a file', async () => {
		const { credential } = await setUp();
		const pdf = await sendBinary(
			credential,
			{ type: 'file' },
			{
				data: binaryData(PDF, 'application/pdf', '报价单.pdf'),
			},
		);
		expect(pdf).toEqual({ msg_type: 43, video_url: expect.stringMatching(/\/[0-9a-f]{32}\.pdf$/) });
		const download = await fetch(pdf.video_url as string);
		expect(download.headers.get('content-disposition')).toContain(encodeURIComponent('报价单.pdf'));

		const mp4AsFile = await sendBinary(
			credential,
			{ type: 'file' },
			{
				data: binaryData(Buffer.from('....ftypisom'), 'video/mp4', 'clip.mp4'),
			},
		);
		expect(mp4AsFile.video_url).toMatch(/\/[0-9a-f]{32}$/);
		expect((await fetch(mp4AsFile.video_url as string)).status).toBe(200);
	});

	it('Media Base URL overrides the recorded URL and the lifetime is configurable', async () => {
		const { credential, store } = await setUp(false);
		const before = Date.now();
		const unit = await sendBinary(
			credential,
			{ type: 'image' },
			{ data: binaryData(PNG, 'image/png', 'a.png') },
			{ mediaBaseUrl: 'https://n8n.example.com/webhook/wehub/media/', mediaTtlMinutes: 10 },
		);
		expect(unit.msg).toMatch(
			/^https:\/\/n8n\.example\.com\/webhook\/wehub\/media\/[0-9a-f]{32}\.png$/,
		);
		const id = /([0-9a-f]{32})\.png$/.exec(unit.msg as string)![1];
		expect((await store.getMedia(id))!.expires_at).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
		expect((await store.getMedia(id))!.expires_at).toBeGreaterThanOrEqual(before + 10 * 60_000);
	});

	it('explains what to do when no media URL is known', async () => {
		const { credential } = await setUp(false);
		await expect(
			sendBinary(credential, { type: 'image' }, { data: binaryData(PNG, 'image/png', 'a.png') }),
		).rejects.toMatchObject({
			message:
				'No media URL is known for this credential, so WeHub could not download the binary data',
			description: expect.stringMatching(
				/Activate the WeHub Trigger .* or set Options › Media Base URL/,
			),
		});
	});

	it.each([
		['image', 'image/webp', 'a.webp', /WeChat images must be JPG or PNG/],
		['video', 'video/quicktime', 'a.mov', /videos must be MP4/],
		['gif', 'image/png', 'a.png', /not a GIF/],
	])('refuses a %s unit with %s data', async (type, mimeType, fileName, reason) => {
		const { credential } = await setUp();
		await expect(
			sendBinary(credential, { type }, { data: binaryData(PNG, mimeType, fileName) }),
		).rejects.toThrow(reason);
	});

	it('refuses data above the size limit and a missing binary field', async () => {
		const { credential } = await setUp();
		const big = Buffer.alloc(MAX_MEDIA_BYTES + 1);
		await expect(
			sendBinary(
				credential,
				{ type: 'file' },
				{ data: binaryData(big, 'application/zip', 'a.zip') },
			),
		).rejects.toThrow(/is 25\.0 MB; at most 25\.0 MB can be sent/);
		await expect(sendBinary(credential, { type: 'file' }, {})).rejects.toThrow(
			/binary file 'data'/,
		);
	});
});

describe('a refused Message › Send stores no binary data', () => {
	const DAY = 24 * 3_600_000;
	const image = { source: 'binary', binaryPropertyName: 'data', type: 'image' };
	const binary = { data: binaryData(PNG, 'image/png', 'receipt.png') };

	/** A sweep after the media's lifetime (24 h) removes every media record: how many there were. */
	const storedMedia = async (store: TaskStore) => (await store.sweep(Date.now() + 2 * DAY)).removed;

	it.each<{ refusal: string; parameters: IDataObject; reason: RegExp; clientVersion?: string }>([
		{
			refusal: 'a later message its client predates',
			parameters: {
				messages: { unit: [image, { type: 'gif', url: 'https://example.com/a.gif' }] },
			},
			reason: /Messages › Message 2: .*WeHub 0\.1\.5/,
			clientVersion: '0.1.5',
		},
		{
			refusal: 'a later message with a bad parameter',
			parameters: { messages: { unit: [image, { type: 'text', text: '' }] } },
			reason: /Messages › Message 2 › Text/,
		},
		{
			refusal: 'mentions in a private chat',
			parameters: {
				toWxid: 'wxid_k2m9x7lq4a12',
				mentions: 'fangqing_hust',
				messages: { unit: [image] },
			},
			reason: /Mention WeChat IDs: mentions only work in rooms/,
		},
		{
			refusal: 'a Not Before that is not a date',
			parameters: { messages: { unit: [image] }, options: { notBefore: 'tomorrow-ish' } },
			reason: /Not Before "tomorrow-ish" is not a date/,
		},
	])('refused for $refusal', async ({ parameters, reason, clientVersion }) => {
		const { credential, store } = await setUp(true, true);
		const bot = { appid: credential.appId as string, wxid: BOT };
		if (clientVersion) await store.recordLogin(bot, { client_version: clientVersion });
		await expect(
			runNode(credential, {
				items: [{ json: {}, binary }],
				parameters: {
					resource: 'message',
					operation: 'send',
					botWxid: BOT,
					sendTo: 'wxid',
					toWxid: ROOM,
					...parameters,
				},
			}),
		).rejects.toThrow(reason);

		expect(await store.list(bot)).toEqual([]);
		expect(await storedMedia(store)).toBe(0);
	});

	it('the same send, valid, stores its binary data', async () => {
		const { credential, store } = await setUp(true, true);
		await sendBinary(credential, { type: 'image' }, binary);
		expect(await storedMedia(store)).toBe(1);
	});
});
