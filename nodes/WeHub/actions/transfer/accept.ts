import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { acceptTransferTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['transfer'], operation: ['accept'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	personWxidField(displayOptions, {
		displayName: 'Sender WeChat ID',
		name: 'senderWxid',
		default: '={{ $json.from_wxid }}',
		description: 'Who sent the transfer to the bot (from_wxid of a transfer item)',
	}),
	{
		displayName: 'Transfer ID',
		name: 'transferId',
		type: 'string',
		required: true,
		default: '={{ $json.details?.transfer_id }}',
		placeholder: 'e.g. 1000050001201811150216372340123',
		description:
			'The transferid of a transfer message (details.transfer_id on the WeHub Trigger item; only transfers with acceptable_by_bot can be accepted)',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ wxid_from: 'Sender WeChat ID', transferid: 'Transfer ID' },
		() =>
			acceptTransferTask(
				stringParameter.call(this, 'senderWxid', itemIndex),
				stringParameter.call(this, 'transferId', itemIndex),
			),
	);
}
