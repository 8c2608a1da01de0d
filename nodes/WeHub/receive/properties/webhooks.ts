import type {
	INodeParameters,
	INodeProperties,
	IWebhookDescription,
	WebhookType,
} from 'n8n-workflow';

import { RECEIVE_VIA_LISTENER } from './receiveVia';

/** Webhook names beyond n8n's typed 'default' | 'setup' (n8n looks them up by name at runtime). */
export const UPLOAD_WEBHOOK = 'upload' as WebhookType;
export const MEDIA_WEBHOOK = 'media' as WebhookType;

export const pathProperty: INodeProperties = {
	displayName: 'Path',
	name: 'path',
	type: 'string',
	default: 'wehub',
	required: true,
	placeholder: 'e.g. wehub',
	description:
		'Path of the callback URL; the upload URL is this path followed by /upload. Use a different path for each WeHub app.',
};

/**
 * n8n-workflow's WEBHOOK_RESOLVERS (n8n 2.40+). A registered symbol: Symbol.for finds it whichever
 * n8n-workflow loaded the node, and older n8n never looks.
 */
const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

/**
 * The `path` of one of the trigger's webhooks: the node's Path followed by `suffix`, or null in
 * listener mode (n8n then registers no webhook, so "Execute workflow" runs trigger() instead of
 * waiting on a test URL).
 *
 * The editor and n8n before 2.40 evaluate the expression. n8n 2.40+ also takes a native resolver
 * of that same template and then leaves its expression engine (a sandboxed isolate) out of every
 * webhook request: evaluating the three paths there was most of what a poll cost on this path.
 */
export function webhookPathUnlessListener(suffix: string) {
	const template = `={{$parameter["receiveVia"] === "${RECEIVE_VIA_LISTENER}" ? null : $parameter["path"] + "${suffix}"}}`;
	// Same semantics as the template, JavaScript `+` included.
	const resolve = (parameters: INodeParameters) =>
		parameters.receiveVia === RECEIVE_VIA_LISTENER ? null : String(parameters.path) + suffix;
	return { path: template, [WEBHOOK_RESOLVERS]: { path: { template, resolve } } };
}

/** Hides the node's webhook URLs in the editor when they are not used. */
const HIDE_URL_IN_LISTENER_MODE = `={{$parameter["receiveVia"] === "${RECEIVE_VIA_LISTENER}"}}`;

function webhook(name: WebhookType, httpMethod: 'GET' | 'POST', suffix: string) {
	return {
		name,
		httpMethod,
		responseMode: 'onReceived',
		...webhookPathUnlessListener(suffix),
		ndvHideUrl: HIDE_URL_IN_LISTENER_MODE,
		isFullPath: true,
		// n8n's default is the literal 'firstEntryJson'; empty lets the node answer itself.
		responseData: '',
	} satisfies IWebhookDescription;
}

/**
 * The callback URL, the upload URL and the media URL WeHub downloads the action node's files
 * from. `:id` is a path parameter: n8n prefixes such paths with the node's webhook id.
 */
export const triggerWebhooks: IWebhookDescription[] = [
	webhook('default', 'POST', ''),
	webhook(UPLOAD_WEBHOOK, 'POST', '/upload'),
	webhook(MEDIA_WEBHOOK, 'GET', '/media/:id'),
];
