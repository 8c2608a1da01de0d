import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { openActionContext } from '../shared/context';
import { limitParameter, returnAllFields } from '../shared/fields';
import { nodeOf, workflowOf } from '../../trigger/triggerOwner';

const displayOptions = { show: { resource: ['inbox'], operation: ['getAll'] } };

export const description: INodeProperties[] = [...returnAllFields(displayOptions)];

/**
 * Events the WeHub Trigger acknowledged whose executions have not ended (Durable Delivery),
 * oldest first: running now (`in_progress`), or waiting to be replayed by a listener of their
 * workflow. Normally empty or short; a long list means executions are not ending.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const { settings, store } = await openActionContext.call(this, itemIndex);
	const limit = limitParameter.call(this, itemIndex);
	const now = Date.now();
	const entries = await store.inboxList(settings.appid, limit);
	return entries.map((entry) => {
		return {
			delivery_id: entry.id,
			workflow_id: workflowOf(entry.owner),
			trigger_node: nodeOf(entry.owner),
			bot_wxid: entry.bot_wxid,
			events: [...new Set(entry.items.map((item) => item.event))],
			item_count: entry.items.length,
			received_at: new Date(entry.received_at).toISOString(),
			attempts: entry.attempts,
			in_progress: entry.lease_until > now,
			lease_until: new Date(entry.lease_until).toISOString(),
		};
	});
}
