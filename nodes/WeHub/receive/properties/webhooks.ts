import type {
	INode,
	INodeParameters,
	INodeProperties,
	IWebhookDescription,
	WebhookType,
} from 'n8n-workflow';

import { normalisePath } from '../../listener/ListenerConfig';
import { RECEIVE_VIA_LISTENER } from './receiveVia';

/** Webhook names beyond n8n's typed 'default' | 'setup' (n8n looks them up by name at runtime). */
export const UPLOAD_WEBHOOK = 'upload' as WebhookType;
export const MEDIA_WEBHOOK = 'media' as WebhookType;

export const pathProperty: INodeProperties = {
	displayName: 'Path',
	name: 'path',
	type: 'string',
	default: '',
	placeholder: 'e.g. wehub-7f3k9q2x',
	description:
		'Path of the callback URL; the upload URL is this path followed by /upload. Empty uses the node’s own random ID, which nobody can guess (shown in the Webhook URLs; in listener mode n8n logs the URLs on activation). A path of your own should be as hard to guess: whoever knows it can call the trigger as WeHub.',
};

/**
 * The node's Path as both transports use it: trimmed, without leading or trailing slashes (the
 * listener's normalisePath), empty when unset. NORMALISED_PATH is the same rule as an expression.
 */
function normalisedPath(path: unknown): string {
	return normalisePath(String(path || ''));
}

const NORMALISED_PATH = 'String($parameter["path"] || "").trim().replace(/^\\/+|\\/+$/g, "")';

/**
 * The callback path of a node: its Path, or, when that is empty, its webhook ID. n8n's editor
 * gives every node with webhooks a random webhook ID (a v4 UUID) when the node is added or a
 * workflow is opened or pasted, and n8n itself serves an empty full path at that ID
 * (`NodeHelpers.getNodeWebhookPath`): the same URL in webhook and listener mode. Null when the
 * node has neither (a workflow imported from a file without webhookId, never opened in the editor).
 */
export function callbackPath(path: unknown, node: Pick<INode, 'webhookId'>): string | null {
	const webhookId = typeof node.webhookId === 'string' ? node.webhookId.trim() : '';
	return normalisedPath(path) || webhookId || null;
}

/**
 * n8n-workflow's WEBHOOK_RESOLVERS (n8n 2.40+). A registered symbol: Symbol.for finds it whichever
 * n8n-workflow loaded the node, and older n8n never looks.
 */
const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

type Resolver = (parameters: INodeParameters) => unknown;

/** A description field as an expression template and, for n8n 2.40+, a resolver of the same rule. */
function field(template: string, resolve: Resolver) {
	return { template, resolve };
}

/**
 * The `path` (and `isFullPath`) of one of the trigger's webhooks: the node's Path followed by
 * `suffix`, or undefined in listener mode (n8n then registers no webhook, so "Execute workflow" runs
 * trigger() instead of waiting on a test URL).
 *
 * With an empty Path the callback is n8n's full path '' (n8n serves it at the node's webhook ID),
 * and the upload path is `upload` relative to the webhook ID (`isFullPath` false): both under
 * `/webhook/<webhook ID>`.
 *
 * The media path has a parameter (`:id`): n8n serves it under the webhook ID, but keys it in its
 * database by the path alone, so two nodes may not share one. With an empty Path it is therefore
 * `<webhook ID>/media/:id` (URL `/webhook/<webhook ID>/<webhook ID>/media/<id>`), which only n8n's
 * expression engine can write (`$webhookId`).
 *
 * The editor and n8n before 2.40 evaluate the templates. n8n 2.40+ also takes a native resolver
 * of the same rule and then leaves its expression engine out of every webhook request; the
 * callback and upload paths have one, the media path cannot (one evaluation per request).
 */
export function webhookPathUnlessListener(suffix: string) {
	const unlessListener = (expression: string) =>
		`={{(path => $parameter["receiveVia"] === "${RECEIVE_VIA_LISTENER}" ? undefined : ${expression})(${NORMALISED_PATH})}}`;
	const relative = suffix.replace(/^\//, '');
	if (relative.includes(':')) {
		return {
			path: unlessListener(
				`(path || $webhookId) ? (path || $webhookId) + "${suffix}" : "${relative}"`,
			),
			isFullPath: true,
		};
	}
	const path = field(
		unlessListener(`path ? path + "${suffix}" : "${relative}"`),
		// Same semantics as the template, JavaScript `+` included.
		(parameters) => {
			if (parameters.receiveVia === RECEIVE_VIA_LISTENER) return undefined;
			const given = normalisedPath(parameters.path);
			return given ? given + suffix : relative;
		},
	);
	if (relative === '')
		return { path: path.template, isFullPath: true, [WEBHOOK_RESOLVERS]: { path } };
	// A static suffix under an empty Path hangs off the webhook ID: not a full path then.
	const isFullPath = field(
		`={{${NORMALISED_PATH} !== ""}}`,
		(parameters) => normalisedPath(parameters.path) !== '',
	);
	return {
		path: path.template,
		// n8n evaluates isFullPath as it evaluates path (an expression included) in its webhook
		// service, its node helpers and the editor, though its type says boolean.
		isFullPath: isFullPath.template as unknown as boolean,
		[WEBHOOK_RESOLVERS]: { path, isFullPath },
	};
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
