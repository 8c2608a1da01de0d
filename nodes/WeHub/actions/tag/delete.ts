import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { TAG_OP_CODES, tagContactsTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';
import { tagNameField } from './fields';

const displayOptions = { show: { resource: ['tag'], operation: ['delete'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	tagNameField(displayOptions, 'The tag to delete; its friends and rooms stay, untagged'),
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ tag_name: 'Tag Name' },
		(_context, _bot, client) =>
			tagContactsTask(
				stringParameter.call(this, 'tagName', itemIndex),
				[],
				TAG_OP_CODES.delete,
				client,
			),
	);
}
