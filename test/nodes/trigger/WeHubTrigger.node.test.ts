import FormData from 'form-data';
import { mock } from 'jest-mock-extended';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	IHookFunctions,
	INode,
	IWebhookFunctions,
} from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	MEDIA_WEBHOOK,
	webhookPathUnlessListener,
} from '../../../nodes/WeHub/receive/properties/webhooks';
import { testWeHubCredential } from '../../../nodes/WeHub/shared/credentialTest';
import { settingsFromCredential } from '../../../nodes/WeHub/shared/settings';
import { closeAllTaskStores, openTaskStore } from '../../../nodes/WeHub/store/openTaskStore';
import { WeHubTrigger } from '../../../nodes/WeHub/WeHubTrigger.node';
import { MEDIA_BASE_URL_SETTING } from '../../../nodes/WeHub/shared/mediaBaseUrl';
import { BOT_WXID, readFixture } from '../../protocol/fixtures';

const APPID = 'wh_appid_3f9c2a';
const MEDIA_URL =
	'https://n8n.example.com/webhook/5b0c2a8e-1d7e-4c55-9f0a-2f5b7c1d9e01/wehub/media/:id';

/** What the node wrote on n8n's Express response. */
class ResponseRecorder {
	statusCode = 0;
	headers: Record<string, string> = {};
	body: unknown;
	headersSent = false;
	status(code: number) {
		this.statusCode = code;
		return this;
	}
	set(headers: Record<string, string>) {
		Object.assign(this.headers, headers);
		return this;
	}
	json(body: unknown) {
		this.body = body;
		this.headersSent = true;
		return this;
	}
	end(body: Buffer) {
		this.body = body;
		this.headersSent = true;
		return this;
	}
}

describe('WeHubTrigger node', () => {
	const trigger = new WeHubTrigger();
	let folder: string;
	let credential: ICredentialDataDecryptedObject;

	beforeAll(() => {
		folder = mkdtempSync(join(tmpdir(), 'wehub-trigger-node-'));
	});
	beforeEach(() => {
		credential = {
			appId: APPID,
			secretKey: '112233',
			allowedBots: '',
			storeBackend: 'embedded',
			storePath: join(folder, `store-${Math.random().toString(36).slice(2)}`),
		};
	});
	afterAll(async () => {
		await closeAllTaskStores();
		rmSync(folder, { recursive: true, force: true });
	});

	function webhookContext(
		webhookName: string,
		request: { body?: Buffer; headers?: Record<string, string>; params?: object },
		parameters: Record<string, unknown> = {},
	) {
		const res = new ResponseRecorder();
		const prepareBinaryData = jest.fn(
			async (data: Buffer, fileName?: string, mimeType?: string) => ({
				data: data.toString('base64'),
				fileName,
				mimeType: mimeType ?? '',
				fileSize: String(data.length),
			}),
		);
		const ctx = mock<IWebhookFunctions>({ helpers: { prepareBinaryData } as never });
		ctx.getWebhookName.mockReturnValue(webhookName);
		ctx.getResponseObject.mockReturnValue(res as never);
		ctx.getCredentials.mockResolvedValue(credential);
		ctx.getParamsData.mockReturnValue(request.params ?? {});
		const req = {
			headers: request.headers ?? {},
			rawBody: undefined as Buffer | undefined,
			readRawBody: jest.fn(async () => {
				req.rawBody = request.body ?? Buffer.alloc(0);
			}),
		};
		ctx.getRequestObject.mockReturnValue(req as never);
		ctx.getNodeParameter.mockImplementation(((name: string, fallback: unknown) =>
			name in parameters ? parameters[name] : fallback) as never);
		return { ctx, res, req };
	}

	describe('description', () => {
		const { description } = trigger;

		it('answers every webhook itself: responseData is empty on all three', () => {
			expect(
				description.webhooks?.map((w) => [w.name, w.httpMethod, w.path, w.responseData]),
			).toEqual([
				// In listener mode the paths evaluate to undefined: n8n then registers no webhook (1.x skips
				// only undefined; null crashed its activation).
				['default', 'POST', webhookPathUnlessListener('').path, ''],
				['upload', 'POST', webhookPathUnlessListener('/upload').path, ''],
				['media', 'GET', webhookPathUnlessListener('/media/:id').path, ''],
			]);
		});

		describe('webhook paths resolve without the expression engine (n8n 2.40+)', () => {
			const resolvers = Symbol.for('n8n.webhookDescriptionResolvers');
			const cases: Array<Record<string, unknown>> = [
				{ receiveVia: 'webhook', path: 'wehub' },
				{ receiveVia: 'listener', path: 'wehub' },
				{ path: 'a/b' },
				{ receiveVia: 'webhook' },
				{},
			];

			// The media path needs the node's webhook ID, which only the engine knows (webhookUrls.test.ts).
			const resolved = (description.webhooks ?? []).filter((w) => w.name !== MEDIA_WEBHOOK);

			it.each(resolved)('$name: a resolver for exactly its template', (webhook) => {
				const entry = (webhook as unknown as Record<symbol, Record<string, { template: string }>>)[
					resolvers
				]?.path;
				expect(entry?.template).toBe(webhook.path);
			});

			it.each(resolved)('$name: the resolver gives what the template evaluates to', (webhook) => {
				const entry = (
					webhook as unknown as Record<
						symbol,
						Record<string, { resolve: (p: Record<string, unknown>) => unknown }>
					>
				)[resolvers].path;
				// The template is plain JavaScript inside ={{ }}: evaluate it as n8n's engine would.
				const body = webhook.path.slice(3, -2);
				const evaluate = new Function('$parameter', `return (${body});`);
				for (const parameters of cases) {
					expect(entry.resolve(parameters)).toBe(evaluate(parameters));
				}
			});
		});

		it('keeps n8n from parsing bodies (typeVersion 1 + hidden options.binaryData)', () => {
			expect(description.version).toBe(1);
			expect(description.properties.find((p) => p.name === 'options')).toMatchObject({
				type: 'hidden',
				default: { binaryData: true },
			});
		});

		it('lists the events alphabetically, * first', () => {
			const events = description.properties.find((p) => p.name === 'events');
			const names = (events?.options ?? []).map((o) => (o as { name: string }).name);
			expect(names[0]).toBe('*');
			expect(names.slice(1)).toEqual([...names.slice(1)].sort((a, b) => a.localeCompare(b)));
		});
	});

	describe('callback webhook', () => {
		it.each([
			['application/json', 'report_new_msg.text.private.json'],
			['application/x-www-form-urlencoded', 'report_new_msg.text.private.json'],
			['text/plain', 'report_contact.json'],
		])('reads the raw body sent as %s, acks, then emits', async (contentType, name) => {
			const { ctx, res } = webhookContext(
				'default',
				{ body: readFixture('requests', name), headers: { 'content-type': contentType } },
				{ events: ['*'] },
			);
			const result = await trigger.webhook.call(ctx);
			// n8n sends the ack with the workflow data: 2.x once the execution is in its database.
			expect(res.headersSent).toBe(false);
			expect(result.webhookResponse).toMatchObject({ error_code: 0, error_reason: '' });
			expect(result.noWebhookResponse).toBeUndefined();
			expect(result.workflowData?.[0].length).toBeGreaterThan(0);
			expect(result.workflowData?.[0][0].json).toMatchObject({ appid: APPID, bot_wxid: BOT_WXID });
		});

		it('answers pull_task without starting an execution', async () => {
			const { ctx, res } = webhookContext(
				'default',
				{ body: readFixture('requests', 'pull_task.json') },
				{ events: ['*'] },
			);
			const result = await trigger.webhook.call(ctx);
			expect(res.body).toEqual({
				error_code: 0,
				error_reason: '',
				ack_type: 'pull_task_ack',
				data: {},
			});
			expect(result).toEqual({ noWebhookResponse: true });
		});

		it('answers invalid JSON with an HTTP 200 ack saying 400, starting nothing', async () => {
			const { ctx, res } = webhookContext('default', {
				body: readFixture('bad', 'not_json.txt'),
				headers: { 'content-type': 'application/json' },
			});
			const result = await trigger.webhook.call(ctx);
			expect(res.statusCode).toBe(200);
			expect(res.body).toMatchObject({ error_code: 400, ack_type: expect.any(String), data: {} });
			expect(result.workflowData).toBeUndefined();
		});

		it('answers with a JSON error ack when the credential is unusable', async () => {
			credential = { ...credential, appId: '' };
			const { ctx, res } = webhookContext('default', {
				body: readFixture('requests', 'pull_task.json'),
			});
			const result = await trigger.webhook.call(ctx);
			expect(res.statusCode).toBe(200);
			expect(res.body).toMatchObject({ error_code: 500, ack_type: 'common_ack' });
			expect(result).toEqual({ noWebhookResponse: true });
		});

		it('applies the message filter parameters', async () => {
			const parameters = { events: ['message'], messageFilters: { chat: 'room' } };
			const { ctx, res } = webhookContext(
				'default',
				{ body: readFixture('requests', 'report_new_msg.text.private.json') },
				parameters,
			);
			const result = await trigger.webhook.call(ctx);
			expect((res.body as { error_code: number }).error_code).toBe(0);
			expect(result.workflowData).toBeUndefined();
		});
	});

	describe('upload webhook', () => {
		it('turns the multipart file into binary data with its message context', async () => {
			const settings = settingsFromCredential(credential);
			await (
				await openTaskStore(settings.store)
			).rememberFile({
				appid: APPID,
				bot_wxid: BOT_WXID,
				file_index: 'fi_voice_01',
				state: 'reported',
				kind: 'voice',
				msg_type: 34,
				from_wxid: 'wxid_alice6a8kd2',
				reported_at: Date.now(),
			});
			const form = new FormData();
			form.append('file_index', 'fi_voice_01');
			form.append('file', Buffer.from('ID3 voice bytes'), {
				filename: 'voice.mp3',
				contentType: 'audio/mpeg',
			});
			const { ctx } = webhookContext(
				'upload',
				{ body: form.getBuffer(), headers: form.getHeaders() },
				{ events: ['file_uploaded'] },
			);

			const result = await trigger.webhook.call(ctx);
			expect(result.webhookResponse).toEqual({
				error_code: 0,
				error_reason: '',
				ack_type: 'upload_file_ack',
				file_index: 'fi_voice_01',
				data: {},
			});
			const [item] = result.workflowData?.[0] ?? [];
			expect(item.json).toMatchObject({
				event: 'file_uploaded',
				kind: 'voice',
				reply_to: 'wxid_alice6a8kd2',
				size: 15,
			});
			expect(item.binary?.data).toMatchObject({
				fileName: 'voice.mp3',
				mimeType: 'audio/mpeg',
				fileSize: '15',
			});
		});
	});

	describe('media webhook', () => {
		it('streams a stored file, 404 JSON otherwise', async () => {
			const settings = settingsFromCredential(credential);
			const data = Buffer.from('\x89PNG fake image');
			await (
				await openTaskStore(settings.store)
			).putMedia({
				id: 'm_42',
				appid: APPID,
				mime_type: 'image/png',
				file_name: 'chart.png',
				data,
				created_at: Date.now(),
				expires_at: Date.now() + 60_000,
			});
			const found = webhookContext('media', { params: { id: 'm_42.png' } });
			expect(await trigger.webhook.call(found.ctx)).toEqual({ noWebhookResponse: true });
			expect(found.res.statusCode).toBe(200);
			expect(found.res.headers['content-type']).toBe('image/png');
			expect(found.res.body).toEqual(data);

			const missing = webhookContext('media', { params: { id: 'm_gone' } });
			await trigger.webhook.call(missing.ctx);
			expect(missing.res.statusCode).toBe(404);
			expect(missing.res.body).toMatchObject({ error_code: 404 });
		});
	});

	describe('activation', () => {
		function hookContext(mode: 'trigger' | 'manual', url = MEDIA_URL) {
			const ctx = mock<IHookFunctions>();
			ctx.getNodeWebhookUrl.mockReturnValue(url);
			ctx.getCredentials.mockResolvedValue(credential);
			ctx.getMode.mockReturnValue(mode);
			ctx.getNode.mockReturnValue(mock<INode>({ name: 'WeHub Trigger' }));
			return ctx;
		}

		it('records the public media base URL for the action node', async () => {
			const methods = trigger.webhookMethods.default;
			expect(await methods.checkExists.call(hookContext('trigger'))).toBe(false);
			expect(await methods.create.call(hookContext('trigger'))).toBe(true);
			const store = await openTaskStore(settingsFromCredential(credential).store);
			expect(await store.getSetting(APPID, MEDIA_BASE_URL_SETTING)).toBe(
				MEDIA_URL.replace('/:id', ''),
			);
			expect(await methods.delete.call(hookContext('trigger'))).toBe(true);
		});

		it('never lets a test URL replace the production one', async () => {
			const methods = trigger.webhookMethods.default;
			await methods.create.call(hookContext('trigger'));
			await methods.create.call(
				hookContext('manual', MEDIA_URL.replace('/webhook/', '/webhook-test/')),
			);
			const store = await openTaskStore(settingsFromCredential(credential).store);
			expect(await store.getSetting(APPID, MEDIA_BASE_URL_SETTING)).toBe(
				MEDIA_URL.replace('/:id', ''),
			);
		});
	});

	describe('credential test', () => {
		const testFns = mock<ICredentialTestFunctions>();

		it('succeeds when the chosen store opens and answers', async () => {
			const result = await testWeHubCredential.call(testFns, {
				id: '1',
				name: 'WeHub',
				type: 'weHubApi',
				data: credential,
			});
			expect(result.status).toBe('OK');
			expect(result.message).toContain('embedded');
		});

		it('fails with a reason when the credential is incomplete', async () => {
			const result = await testWeHubCredential.call(testFns, {
				id: '1',
				name: 'WeHub',
				type: 'weHubApi',
				data: { ...credential, appId: '' },
			});
			expect(result).toEqual({ status: 'Error', message: expect.stringContaining('App ID') });
		});
	});
});
