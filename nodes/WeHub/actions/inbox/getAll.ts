import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { openActionContext } from '../shared/context';

const displayOptions = { show: { resource: ['inbox'], operation: ['getAll'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions,
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...displayOptions.show, returnAll: [false] } },
	},
];

/**
 * Events the WeHub Trigger acknowledged whose executions have not ended (Durable Delivery),
 * oldest first: running now (`in_progress`), or waiting to be replayed by a listener of their
 * workflow. Normally empty or short; a long list means executions are not ending.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const { settings, store } = await openActionContext.call(this, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const now = Date.now();
	const entries = await store.inboxList(settings.appid, limit);
	return entries.map((entry) => {
		const [workflowId, ...node] = entry.owner.split('/');
		return {
			delivery_id: entry.id,
			workflow_id: workflowId,
			trigger_node: node.join('/'),
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
