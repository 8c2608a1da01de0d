import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { deleteFriendTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['contact'], operation: ['delete'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	personWxidField(displayOptions, {
		displayName: 'Friend WeChat ID',
		description: 'The friend to remove from the bot’s contacts',
	}),
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ wxid_delete: 'Friend WeChat ID' },
		() => deleteFriendTask(stringParameter.call(this, 'wxid', itemIndex)),
	);
}
