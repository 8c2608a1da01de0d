import type { IHookFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import type { Readable } from 'node:stream';

import { refusalAck, refusalStatus, type Route } from '../listener/listenerAck';
import { errorMessage } from '../shared/errorMessage';
import type { Delivery } from '../trigger/delivery';
import { handleCallback } from '../trigger/handleCallback';
import { handleMedia } from '../trigger/handleMedia';
import { handleUpload } from '../trigger/handleUpload';
import { N8nAdapter } from './n8nAdapter';
import { MEDIA_WEBHOOK, UPLOAD_WEBHOOK } from './properties';

/**
 * Activation in webhook mode: warns when the store cannot be shared in queue mode and records
 * the media URL the action node hands WeHub.
 */
export async function activateWebhooks(fns: IHookFunctions): Promise<boolean> {
	const mediaUrl = fns.getNodeWebhookUrl(MEDIA_WEBHOOK);
	if (!mediaUrl) return true;
	const adapter = new N8nAdapter(fns);
	const context = await adapter.context();
	adapter.warnWhenStoreSplits(context.settings);
	await adapter.recordMediaBaseUrl(context, mediaUrl.replace(/\/:id$/, ''));
	return true;
}

/**
 * One request on n8n's webhook path: the callback URL, the upload URL or a media download. An
 * answer that starts no execution (pull_task above all) is written by the node at once. One that
 * starts an execution is handed to n8n with the workflow data: n8n 2.x then writes the execution
 * (with these items) to its database before it sends the ack, so an event WeHub was told arrived
 * is at least an execution n8n knows of (n8n 1.x sends the ack first). Either way the ack goes
 * out before the workflow runs: WeHub times out after 30 s.
 *
 * Callback and upload answers are HTTP 200 whatever went wrong, n8n's own body reader failing
 * included (413 past N8N_PAYLOAD_SIZE_MAX): `error_code` says it, since WeHub shows `error_reason`
 * only from answers it reads. A media download keeps its status: WeHub saves whatever a 200 brings
 * as the file.
 */
export async function answerWebhook(fns: IWebhookFunctions): Promise<IWebhookResponseData> {
	const res = fns.getResponseObject();
	const webhookName = fns.getWebhookName();
	const adapter = new N8nAdapter(fns);
	let delivery: Delivery | undefined;
	let ack: object | undefined;
	try {
		const ctx = await adapter.context(true);
		const req = fns.getRequestObject();
		if (webhookName === MEDIA_WEBHOOK) {
			const id = (fns.getParamsData() as { id?: string }).id;
			const media = await handleMedia(id, ctx.settings.appid, await ctx.store());
			if (Buffer.isBuffer(media.body)) res.status(media.status).set(media.headers).end(media.body);
			else res.status(media.status).json(media.body);
			return { noWebhookResponse: true };
		}
		if (webhookName === UPLOAD_WEBHOOK) {
			// Stream an unread request straight into the multipart parser; else use the read bytes.
			const unread = req.rawBody === undefined && typeof req.pipe === 'function' && req.readable;
			const body: Buffer | Readable = unread ? req : await rawBody(req);
			const outcome = await handleUpload(body, req.headers['content-type'], ctx);
			ack = outcome.ack;
			if (outcome.item) delivery = { items: [outcome.item], upload: outcome.upload };
		} else {
			const outcome = await handleCallback(await rawBody(req), ctx);
			ack = outcome.ack;
			if (outcome.items.length > 0) delivery = { items: outcome.items };
		}
		if (!delivery) {
			res.status(200).json(ack);
			return { noWebhookResponse: true };
		}
		// responseData '' and responseMode onReceived: n8n answers with webhookResponse, as JSON.
		return { webhookResponse: ack, workflowData: [await adapter.executionItems(delivery)] };
	} catch (error) {
		// Credential or parameter problems: still a JSON answer, never n8n's HTML error page.
		if (!res.headersSent) {
			// n8n's body reader fails with 413 past N8N_PAYLOAD_SIZE_MAX and 400 on aborted bodies.
			const given = (error as { status?: unknown }).status;
			const code = typeof given === 'number' && given >= 400 && given < 500 ? given : 500;
			const reason =
				code === 413
					? 'the body is larger than n8n accepts (N8N_PAYLOAD_SIZE_MAX, 16 MiB by default)'
					: `n8n WeHub trigger error: ${errorMessage(error)}`;
			const route: Route =
				webhookName === MEDIA_WEBHOOK
					? 'media'
					: webhookName === UPLOAD_WEBHOOK
						? 'upload'
						: 'callback';
			res.status(refusalStatus(route, code)).json(refusalAck(route, code, reason));
		}
		return { noWebhookResponse: true };
	}
}

async function rawBody(req: ReturnType<IWebhookFunctions['getRequestObject']>): Promise<Buffer> {
	if (req.rawBody === undefined && typeof req.readRawBody === 'function') await req.readRawBody();
	return req.rawBody ?? Buffer.alloc(0);
}
