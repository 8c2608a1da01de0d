import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { createRoomTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { wxidListParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['create'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		displayName: 'Member WeChat IDs',
		name: 'memberWxids',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. wxid_abc123, wxid_def456',
		description:
			'At least two friends of the bot, separated by commas. WeChat limits how many rooms an account may create; the credential’s daily cap holds the rest back.',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

/** WeHub 0.2 and later; the new room is reported to the WeHub Trigger (New Room). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ member_list: 'Member WeChat IDs' },
		(_context, _bot, client) =>
			createRoomTask(wxidListParameter.call(this, 'memberWxids', itemIndex), client),
	);
}
