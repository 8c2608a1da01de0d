import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { setFriendRemarkTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['contact'], operation: ['setRemark'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	personWxidField(displayOptions, { displayName: 'Friend WeChat ID' }),
	{
		displayName: 'Remark',
		name: 'remark',
		type: 'string',
		default: '',
		placeholder: 'e.g. Alice (customer since 2024)',
		description: 'The remark name the bot sees for this friend; empty clears it',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ wxid: 'Friend WeChat ID', remark_name: 'Remark' },
		() =>
			setFriendRemarkTask(
				stringParameter.call(this, 'wxid', itemIndex),
				stringParameter.call(this, 'remark', itemIndex),
			),
	);
}
