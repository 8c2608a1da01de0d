import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { renameTagTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';
import { tagNameField } from './fields';

const displayOptions = { show: { resource: ['tag'], operation: ['rename'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	tagNameField(displayOptions, 'The tag’s current name'),
	{
		displayName: 'New Name',
		name: 'newTagName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 大客户',
		description: 'The tag’s new name',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ old_tag_name: 'Tag Name', new_tag_name: 'New Name' },
		(_context, _bot, client) =>
			renameTagTask(
				stringParameter.call(this, 'tagName', itemIndex),
				stringParameter.call(this, 'newTagName', itemIndex),
				client,
			),
	);
}
