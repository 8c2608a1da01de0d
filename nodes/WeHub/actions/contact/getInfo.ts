import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getUserInfoTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['contact'], operation: ['getInfo'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	personWxidField(displayOptions, {
		description: 'The person (friend or room member) to look up',
	}),
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ wxid: 'Contact WeChat ID' },
		(_context, _bot, client) =>
			getUserInfoTask(stringParameter.call(this, 'wxid', itemIndex), client),
		{ result_event: 'user_info' },
	);
}
