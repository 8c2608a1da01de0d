import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { startListenerTrigger } from './receive/listenerMode';
import { RECEIVE_VIA_LISTENER, triggerProperties, triggerWebhooks } from './receive/properties';
import { activateWebhooks, answerWebhook } from './receive/webhookMode';
import { testWeHubCredential } from './shared/credentialTest';

/**
 * Receives WeHub's callbacks, uploads and media downloads, through n8n's webhook path or a
 * listener of its own (receive/). Request handling lives in the n8n-free trigger/; the n8n side
 * of every transport goes through receive/n8nAdapter.ts.
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
		// typeVersion 1 + the hidden `options.binaryData` parameter: n8n then leaves the body unparsed
		// whatever its Content-Type, so malformed JSON still gets a WeHub ack instead of n8n's 422.
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		// The same as the WeHub node's: n8n's node picker shows both nodes as one "WeHub" entry with
		// this description, in "What happens next?" too.
		description: 'Send and receive WeChat messages and manage rooms and contacts through WeHub',
		defaults: { name: 'WeHub Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// A string literal: the community-node lint reads testedBy from the source (= WEHUB_CREDENTIAL_TEST).
		credentials: [{ name: 'weHubApi', required: true, testedBy: 'weHubApiTest' }],
		webhooks: triggerWebhooks,
		properties: triggerProperties,
	};

	methods = {
		credentialTest: { weHubApiTest: testWeHubCredential },
	};

	/**
	 * "Own Listener" mode: a port of the node's own inside n8n, because n8n's webhook path costs
	 * tens of ms of CPU per request. In that mode the webhook paths evaluate to null, so n8n
	 * registers no webhook and runs this long-running trigger instead (for activation and for
	 * "Execute workflow"). In webhook mode there is nothing to keep open.
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		if (this.getNodeParameter('receiveVia', 'webhook') !== RECEIVE_VIA_LISTENER) return {};
		return await startListenerTrigger(this);
	}

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				// Nothing to look up remotely; returning false makes n8n call create on activation.
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await activateWebhooks(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// WeHub's URLs are set by hand in WeHub: nothing to unregister.
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await answerWebhook(this);
	}
}
