import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
	WebhookType,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { Readable } from 'node:stream';

import {
	HIDE_URL_IN_LISTENER_MODE,
	listenerProperties,
	RECEIVE_VIA_LISTENER,
	receiveViaProperty,
	webhookPathUnlessListener,
	WHEN_WEBHOOK,
} from './listener/listenerProperties';
import { startListenerTrigger } from './listener/listenerTrigger';
import { testWeHubCredential } from './shared/credentialTest';
import { MEDIA_BASE_URL_SETTING } from './shared/mediaBaseUrl';
import { embeddedStoreQueueWarning } from './shared/queueModeStore';
import { openStoreFor, settingsFromCredential, type WeHubSettings } from './shared/settings';
import { cachedSettings } from './shared/settingsCache';
import { EVENT_CHOICES } from './trigger/events';
import { handleCallback, type CallbackContext } from './trigger/handleCallback';
import { handleMedia } from './trigger/handleMedia';
import { handleUpload } from './trigger/handleUpload';
import { DEFAULT_MAX_UPLOAD_MB } from './trigger/options';
import { optionsFromParameters } from './trigger/optionsFromParameters';

/** Webhook names beyond n8n's typed 'default' | 'setup' (n8n looks them up by name at runtime). */
const UPLOAD = 'upload' as WebhookType;
const MEDIA = 'media' as WebhookType;

/**
 * Receives WeHub's callbacks, uploads and media downloads. All request handling lives in
 * trigger/ (n8n-free); this class reads parameters and credentials and moves bytes.
 *
 * Routing: one output, every item carrying `event`. WeHub has 17 kinds of callbacks; one output
 * per event (or per group) would make a crowded node whose outputs shift when events are added,
 * while a Switch on `{{ $json.event }}` is the idiom n8n's own Telegram and WhatsApp triggers use.
 */
export class WeHubTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeHub Trigger',
		name: 'weHubTrigger',
		icon: { light: 'file:wehub.svg', dark: 'file:wehub.dark.svg' },
		group: ['trigger'],
		// typeVersion 1 + the hidden `options.binaryData` below: n8n then leaves the body unparsed
		// whatever its Content-Type, so malformed JSON still gets a WeHub ack instead of n8n's 422.
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow on WeChat events reported by WeHub',
		defaults: { name: 'WeHub Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// A string literal: the community-node lint reads testedBy from the source (= WEHUB_CREDENTIAL_TEST).
		credentials: [{ name: 'weHubApi', required: true, testedBy: 'weHubApiTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				...webhookPathUnlessListener(''),
				ndvHideUrl: HIDE_URL_IN_LISTENER_MODE,
				isFullPath: true,
				responseData: '',
			},
			{
				name: UPLOAD,
				httpMethod: 'POST',
				responseMode: 'onReceived',
				...webhookPathUnlessListener('/upload'),
				ndvHideUrl: HIDE_URL_IN_LISTENER_MODE,
				isFullPath: true,
				responseData: '',
			},
			{
				name: MEDIA,
				httpMethod: 'GET',
				responseMode: 'onReceived',
				// A path parameter: n8n prefixes such paths with the node's webhook id.
				...webhookPathUnlessListener('/media/:id'),
				ndvHideUrl: HIDE_URL_IN_LISTENER_MODE,
				isFullPath: true,
				responseData: '',
			},
		],
		properties: [
			receiveViaProperty,
			{
				displayName:
					'In WeHub, set the callback URL to the POST URL of this node (Webhook URLs above) and the file upload URL to the same URL followed by /upload. Both are typed in WeHub by hand; nothing is registered automatically.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
				displayOptions: WHEN_WEBHOOK,
			},
			{
				displayName: 'Path',
				name: 'path',
				type: 'string',
				default: 'wehub',
				required: true,
				placeholder: 'e.g. wehub',
				description:
					'Path of the callback URL; the upload URL is this path followed by /upload. Use a different path for each WeHub app.',
			},
			...listenerProperties,
			{
				displayName: 'Trigger On',
				name: 'events',
				type: 'multiOptions',
				options: EVENT_CHOICES.map((choice) => ({ ...choice })),
				required: true,
				default: ['message'],
				description:
					'Events that start the workflow. Every callback is answered either way; * selects all.',
			},
			{
				displayName: 'Ignore Own Messages',
				name: 'ignoreOwnMessages',
				type: 'boolean',
				default: true,
				description:
					'Whether to drop messages the bot sent itself (from any device). Answering them loops and gets WeChat accounts banned.',
				displayOptions: { show: { events: ['message', '*'] } },
			},
			{
				displayName: 'Message Filters',
				name: 'messageFilters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				displayOptions: { show: { events: ['message', '*'] } },
				options: [
					{
						displayName: 'Chat',
						name: 'chat',
						type: 'options',
						options: [
							{ name: 'All Chats', value: 'all' },
							{ name: 'Private Chats Only', value: 'private' },
							{ name: 'Rooms Only', value: 'room' },
						],
						default: 'all',
					},
					{
						displayName: 'Message Kinds',
						name: 'kinds',
						type: 'multiOptions',
						options: [
							{ name: 'Contact Card', value: 'card' },
							{ name: 'Emoji', value: 'emoji' },
							{ name: 'File', value: 'file' },
							{ name: 'Image', value: 'image' },
							{ name: 'Link', value: 'link' },
							{ name: 'Mini Program', value: 'mini_program' },
							{ name: 'System Notice', value: 'system' },
							{ name: 'Text', value: 'text' },
							{ name: 'Transfer', value: 'transfer' },
							{ name: 'Unknown', value: 'unknown' },
							{ name: 'Video', value: 'video' },
							{ name: 'Voice', value: 'voice' },
						],
						default: [],
						description: 'Kinds of message to emit; none selected emits every kind',
					},
					{
						displayName: 'Only When Bot Is Mentioned',
						name: 'onlyWhenMentioned',
						type: 'boolean',
						default: false,
						description:
							'Whether room messages must mention the bot (@) to start the workflow; private messages always do',
					},
					{
						displayName: 'Rooms',
						name: 'rooms',
						type: 'string',
						default: '',
						placeholder: 'e.g. 12345678@chatroom, 87654321@chatroom',
						description:
							'Only messages of these rooms, separated by commas or new lines; empty allows every room. Private messages are not affected.',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'triggerOptions',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Accept Uploads of Unknown Files',
						name: 'allowUnknownUploads',
						type: 'boolean',
						default: false,
						description:
							'Whether to accept uploads whose file_index no reported message announced. Nothing else authenticates an upload.',
					},
					{
						displayName: 'Auto-Accept Friend Requests',
						name: 'autoAcceptFriendRequests',
						type: 'boolean',
						default: false,
						description:
							'Whether to queue an accept task (13) for every friend request; the daily cap of the credential applies',
					},
					{
						displayName: 'Contacts Output',
						name: 'splitContacts',
						type: 'options',
						options: [
							{ name: 'One Summary Item', value: 'none' },
							{ name: 'One Item per Friend, Room or Official Account', value: 'contact' },
						],
						default: 'none',
						description: 'How contact reports and contact updates become items',
					},
					{
						displayName: 'Maximum Upload Size (MB)',
						name: 'maxUploadSizeMb',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_MAX_UPLOAD_MB,
						description: 'Larger uploads are refused with an upload_file_ack error',
					},
					{
						displayName: 'Room Members Output',
						name: 'splitRoomMembers',
						type: 'options',
						options: [
							{ name: 'One Summary Item', value: 'none' },
							{ name: 'One Item per Room', value: 'room' },
							{ name: 'One Item per Member', value: 'member' },
						],
						default: 'none',
						description: 'How room member reports become items',
					},
				],
			},
			{
				// Makes n8n (typeVersion 1) skip body parsing: the node reads the raw bytes itself.
				displayName: 'Raw Body',
				name: 'options',
				type: 'hidden',
				default: { binaryData: true },
			},
		],
	};

	/**
	 * "Own Listener" mode: a port of the node's own inside n8n (see listener/), because n8n's
	 * webhook path costs tens of ms of CPU per request. A mode of this node rather than a second
	 * node: in listener mode the webhook paths above evaluate to null, so n8n registers no webhook
	 * and runs this long-running trigger instead (for activation and for "Execute workflow"); both
	 * modes share every parameter, the credential and the trigger/ handlers.
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		// Webhook mode: nothing to keep open (n8n calls trigger() of a node with webhooks too).
		if (this.getNodeParameter('receiveVia', 'webhook') !== RECEIVE_VIA_LISTENER) return {};
		await warnWhenStoreSplitsInQueueMode(this);
		return await startListenerTrigger(this);
	}

	methods = {
		credentialTest: { weHubApiTest: testWeHubCredential },
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				// Nothing to look up remotely; returning false makes n8n call create on activation.
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const mediaUrl = this.getNodeWebhookUrl(MEDIA);
				if (!mediaUrl) return true;
				const settings = settingsFromCredential(await this.getCredentials('weHubApi'));
				const warning = embeddedStoreQueueWarning(settings);
				if (warning) this.logger.warn(warning, { node: this.getNode().name });
				const baseUrl = mediaUrl.replace(/\/:id$/, '');
				try {
					const store = await openStoreFor(settings);
					const current = await store.getSetting(settings.appid, MEDIA_BASE_URL_SETTING);
					// A test URL only lives while the editor listens: never let it replace the production one.
					if (this.getMode() !== 'manual' || !current) {
						await store.putSetting(settings.appid, MEDIA_BASE_URL_SETTING, baseUrl);
					}
				} catch (error) {
					throw new NodeOperationError(
						this.getNode(),
						`The WeHub task store could not be opened: ${(error as Error).message}`,
					);
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// WeHub's URLs are set by hand in WeHub: nothing to unregister.
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const res = this.getResponseObject();
		const send = (status: number, body: object | Buffer, headers?: Record<string, string>) => {
			if (Buffer.isBuffer(body))
				res
					.status(status)
					.set(headers ?? {})
					.end(body);
			else res.status(status).json(body);
		};
		const webhookName = this.getWebhookName();
		try {
			const ctx = await callbackContext(this);
			if (webhookName === MEDIA) {
				const id = (this.getParamsData() as { id?: string }).id;
				const media = await handleMedia(id, ctx.settings.appid, await ctx.store());
				send(media.status, media.body, media.headers);
				return { noWebhookResponse: true };
			}
			const req = this.getRequestObject();
			if (webhookName === UPLOAD) {
				// Stream an unread request straight into the multipart parser; else use the read bytes.
				const unread = req.rawBody === undefined && typeof req.pipe === 'function' && req.readable;
				const body: Buffer | Readable = unread ? req : await rawBody(req);
				const outcome = await handleUpload(body, req.headers['content-type'], ctx);
				send(outcome.status, outcome.ack);
				if (!outcome.item || !outcome.upload) return { noWebhookResponse: true };
				const { upload } = outcome;
				const binary = await this.helpers.prepareBinaryData(
					upload.data,
					upload.fileName,
					upload.mimeType,
				);
				const item: INodeExecutionData = {
					json: outcome.item as IDataObject,
					binary: { data: binary },
				};
				return { noWebhookResponse: true, workflowData: [[item]] };
			}
			const outcome = await handleCallback(await rawBody(req), ctx);
			// The ack goes out before any workflow runs (WeHub times out after 30 s).
			send(outcome.status, outcome.ack);
			if (outcome.items.length === 0) return { noWebhookResponse: true };
			return {
				noWebhookResponse: true,
				workflowData: [outcome.items.map((json) => ({ json: json as IDataObject }))],
			};
		} catch (error) {
			// Credential or parameter problems: still a JSON answer, never n8n's HTML error page.
			if (!res.headersSent) {
				// n8n's body reader fails with 413 past N8N_PAYLOAD_SIZE_MAX and 400 on aborted bodies.
				const given = (error as { status?: unknown }).status;
				const status = typeof given === 'number' && given >= 400 && given < 500 ? given : 500;
				send(status, {
					error_code: status,
					error_reason: `n8n WeHub trigger error: ${(error as Error).message}`,
					ack_type: webhookName === UPLOAD ? 'upload_file_ack' : 'common_ack',
					data: {},
				});
			}
			return { noWebhookResponse: true };
		}
	}
}

/** Activation in listener mode; an unusable credential is reported by startListenerTrigger. */
async function warnWhenStoreSplitsInQueueMode(fns: ITriggerFunctions): Promise<void> {
	let warning: string | undefined;
	try {
		warning = embeddedStoreQueueWarning(
			settingsFromCredential(await fns.getCredentials('weHubApi')),
		);
	} catch {
		return;
	}
	if (warning) fns.logger.warn(warning, { node: fns.getNode().name });
}

async function callbackContext(fns: IWebhookFunctions): Promise<CallbackContext> {
	const settings: WeHubSettings = await cachedSettings(
		fns.getNode()?.credentials?.weHubApi?.id,
		async () => await fns.getCredentials('weHubApi'),
	);
	return {
		settings,
		store: async () => await openStoreFor(settings),
		options: optionsFromParameters((name, fallback) =>
			fns.getNodeParameter(name, fallback as never),
		),
	};
}

async function rawBody(req: ReturnType<IWebhookFunctions['getRequestObject']>): Promise<Buffer> {
	if (req.rawBody === undefined && typeof req.readRawBody === 'function') await req.readRawBody();
	return req.rawBody ?? Buffer.alloc(0);
}
