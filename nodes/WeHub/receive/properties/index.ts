import type { INodeProperties } from 'n8n-workflow';

import { eventProperties } from './events';
import { listenerProperties } from './listener';
import { optionProperties } from './options';
import { receiveViaProperty, webhookSetupNotice } from './receiveVia';
import { pathProperty } from './webhooks';

export { RECEIVE_VIA_LISTENER } from './receiveVia';
export { MEDIA_WEBHOOK, triggerWebhooks, UPLOAD_WEBHOOK } from './webhooks';

/** The WeHub Trigger's parameters, in the order the editor shows them. */
export const triggerProperties: INodeProperties[] = [
	receiveViaProperty,
	webhookSetupNotice,
	pathProperty,
	...listenerProperties,
	...eventProperties,
	...optionProperties,
];
