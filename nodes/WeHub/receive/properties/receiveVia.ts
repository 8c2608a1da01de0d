import type { INodeProperties } from 'n8n-workflow';

/** Parameter value of "Receive Via" that turns the listener on. */
export const RECEIVE_VIA_LISTENER = 'listener';

/** Shows a property only in listener mode. */
export const WHEN_LISTENER = { show: { receiveVia: [RECEIVE_VIA_LISTENER] } };
/** Shows a property only in webhook mode. */
export const WHEN_WEBHOOK = { hide: { receiveVia: [RECEIVE_VIA_LISTENER] } };

/** How WeHub reaches the trigger; docs/scaling.md says when to pick which. */
export const receiveViaProperty: INodeProperties = {
	displayName: 'Receive Via',
	name: 'receiveVia',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'n8n Webhook URL',
			value: 'webhook',
			description: "WeHub calls n8n's webhook URL; nothing to set up, suits a few dozen bots",
		},
		{
			name: 'Own Listener (High Volume)',
			value: RECEIVE_VIA_LISTENER,
			description:
				'The node opens its own port inside n8n; polls never reach n8n, suits thousands of bots',
		},
	],
	default: 'webhook',
	description: 'How WeHub reaches this trigger. See docs/scaling.md of the package.',
};

export const webhookSetupNotice: INodeProperties = {
	displayName:
		'In WeHub, set the callback URL to the POST URL of this node (Webhook URLs above) and the file upload URL to the same URL followed by /upload. Both are typed in WeHub by hand; nothing is registered automatically.',
	name: 'setupNotice',
	type: 'notice',
	default: '',
	displayOptions: WHEN_WEBHOOK,
};
