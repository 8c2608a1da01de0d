import fc from 'fast-check';
import { mock } from 'jest-mock-extended';
import type { IWebhookFunctions } from 'n8n-workflow';

import { handleCallback } from '../../nodes/WeHub/trigger/handleCallback';
import { WeHubTrigger } from '../../nodes/WeHub/WeHubTrigger.node';
import { APPID, context, SECRET, StoreFixture } from '../trigger/harness';
import { anyBody, type HostileBody } from './hostileBodies';
import {
	elapsedMsAsync,
	errorCodeOf,
	expectNoPollution,
	expectWellFormedAck,
	heapUsedMb,
	MAX_INPUT_MS,
	prototypeSnapshot,
} from './invariants';

/**
 * The trigger's callback handling with a real embedded store (lmdb in a temp folder): every
 * hostile body gets a JSON ack with a fitting error_code (in an HTTP 200), items that n8n can
 * serialise, no throw.
 */

const pristine = prototypeSnapshot();
const fixture = new StoreFixture('embedded');

beforeAll(async () => await fixture.start());
afterAll(async () => await fixture.stop());

describe('handleCallback under fuzzing', () => {
	it('answers 1,500 hostile bodies with a well-formed ack, fast, without pollution', async () => {
		const ctx = context(fixture, { autoAcceptFriendRequests: true, allowUnknownUploads: false });
		const heapBefore = heapUsedMb();
		await fc.assert(
			fc.asyncProperty(anyBody, async ({ body }: HostileBody) => {
				let outcome: Awaited<ReturnType<typeof handleCallback>> | undefined;
				const ms = await elapsedMsAsync(async () => {
					outcome = await handleCallback(body, ctx);
				});
				expect(ms).toBeLessThan(MAX_INPUT_MS);
				expectWellFormedAck(outcome!.ack);
				// A hostile body is the sender's fault, never ours: no 500 (internal error) for it.
				expect(outcome!.ack.error_code).not.toBe(500);
				expect(Array.isArray(outcome!.items)).toBe(true);
				expect(() => JSON.stringify(outcome!.items)).not.toThrow();
				if (outcome!.ack.error_code !== 0) expect(outcome!.items).toEqual([]);
				expectNoPollution(pristine);
			}),
			{ numRuns: 1_500 },
		);
		expect(heapUsedMb() - heapBefore).toBeLessThan(200);
	}, 120_000);
});

/** What the node wrote on n8n's Express response. */
class ResponseRecorder {
	statusCode = 0;
	body: unknown;
	headersSent = false;
	status(code: number) {
		this.statusCode = code;
		return this;
	}
	set() {
		return this;
	}
	json(body: unknown) {
		this.body = body;
		this.headersSent = true;
		return this;
	}
	end(body: unknown) {
		this.body = body;
		this.headersSent = true;
		return this;
	}
}

describe('WeHubTrigger.webhook() (raw body read by the node) under fuzzing', () => {
	const trigger = new WeHubTrigger();
	const credential = () => ({
		appId: APPID,
		secretKey: SECRET,
		allowedBots: '',
		storeBackend: 'embedded',
		storePath: (fixture.config as { path: string }).path,
	});

	function webhookCall(body: Buffer, contentType: string) {
		const res = new ResponseRecorder();
		const fns = mock<IWebhookFunctions>();
		fns.getWebhookName.mockReturnValue('default');
		fns.getResponseObject.mockReturnValue(res as never);
		fns.getCredentials.mockResolvedValue(credential());
		const req = {
			headers: { 'content-type': contentType },
			rawBody: undefined as Buffer | undefined,
			readRawBody: async () => {
				req.rawBody = body;
			},
		};
		fns.getRequestObject.mockReturnValue(req as never);
		fns.getNodeParameter.mockImplementation(((name: string, fallback: unknown) =>
			name === 'events' ? ['*'] : fallback) as never);
		return { fns, res };
	}

	it('answers 400 hostile bodies under any Content-Type as JSON, never with n8n error pages', async () => {
		await fc.assert(
			fc.asyncProperty(
				anyBody,
				fc.constantFrom(
					'application/json',
					'application/json; charset=gbk',
					'text/plain',
					'application/x-www-form-urlencoded',
					'multipart/form-data; boundary=x',
					'',
				),
				async ({ body }: HostileBody, contentType: string) => {
					const { fns, res } = webhookCall(body, contentType);
					let result: Awaited<ReturnType<WeHubTrigger['webhook']>> | undefined;
					const ms = await elapsedMsAsync(async () => {
						result = await trigger.webhook.call(fns);
					});
					expect(ms).toBeLessThan(MAX_INPUT_MS);
					// Written by the node, or (an execution starts) handed to n8n to send.
					const sentByNode = result!.noWebhookResponse === true;
					expect(res.headersSent).toBe(sentByNode);
					const answer = sentByNode ? res.body : result!.webhookResponse;
					expectWellFormedAck(answer, sentByNode ? res.statusCode : 200);
					expect(errorCodeOf(answer)).not.toBe(500);
					if (result!.workflowData) {
						expect(() => JSON.stringify(result!.workflowData)).not.toThrow();
					}
					expectNoPollution(pristine);
				},
			),
			{ numRuns: 400 },
		);
	}, 120_000);
});

describe("n8n's own body limit (N8N_PAYLOAD_SIZE_MAX)", () => {
	it('is answered with an HTTP 200 ack saying 413 when n8n refuses to read a body that large', async () => {
		const res = new ResponseRecorder();
		const fns = mock<IWebhookFunctions>();
		fns.getWebhookName.mockReturnValue('default');
		fns.getResponseObject.mockReturnValue(res as never);
		fns.getCredentials.mockResolvedValue({
			appId: APPID,
			secretKey: SECRET,
			storeBackend: 'embedded',
			storePath: (fixture.config as { path: string }).path,
		});
		fns.getNodeParameter.mockImplementation(((_: string, fallback: unknown) => fallback) as never);
		// What raw-body throws inside n8n's readRawBody past the limit.
		const tooLarge = Object.assign(new Error('request entity too large'), {
			status: 413,
			type: 'entity.too.large',
		});
		fns.getRequestObject.mockReturnValue({
			headers: { 'content-type': 'application/json' },
			rawBody: undefined,
			readRawBody: async () => await Promise.reject(tooLarge),
		} as never);
		await new WeHubTrigger().webhook.call(fns);
		expectWellFormedAck(res.body, res.statusCode);
		expect(res.body).toMatchObject({
			error_code: 413,
			error_reason: expect.stringContaining('N8N_PAYLOAD_SIZE_MAX'),
			ack_type: 'common_ack',
		});
	});
});
