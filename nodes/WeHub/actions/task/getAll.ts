import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { TaskState } from '../../store/TaskStore';
import { botFromParameter, openActionContext } from '../shared/context';
import { botWxidField, limitParameter, returnAllFields } from '../shared/fields';
import { taskOutput } from '../shared/taskOutput';

const displayOptions = { show: { resource: ['task'], operation: ['getAll'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		displayName: 'State',
		name: 'state',
		type: 'options',
		options: [
			{ name: 'Any', value: 'any' },
			{ name: 'Cancelled', value: 'cancelled', description: 'Cancelled before WeHub pulled it' },
			{ name: 'Done', value: 'done', description: 'WeHub reported success' },
			{ name: 'Expired', value: 'expired', description: 'Not pulled before its expiry' },
			{ name: 'Failed', value: 'failed', description: 'WeHub reported failure' },
			{ name: 'Handed Out', value: 'handed_out', description: 'Pulled by WeHub, no result yet' },
			{ name: 'Lost', value: 'lost', description: 'Pulled by WeHub, no result in time' },
			{ name: 'Queued', value: 'queued', description: 'Waiting for WeHub to pull it' },
		],
		default: 'queued',
		description: 'Only tasks in this state',
		displayOptions,
	},
	...returnAllFields(displayOptions),
];

/** Oldest first, as the store lists them: the head of the queue is the next task WeHub gets. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const { settings, store } = await openActionContext.call(this, itemIndex);
	const bot = botFromParameter.call(this, itemIndex, settings);
	const state = this.getNodeParameter('state', itemIndex, 'queued') as TaskState | 'any';
	const limit = limitParameter.call(this, itemIndex);
	const records = await store.list(bot, state === 'any' ? undefined : state, limit);
	return records.map(taskOutput);
}
