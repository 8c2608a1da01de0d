import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { renameRoomTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField, roomWxidField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['rename'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	roomWxidField(displayOptions),
	{
		displayName: 'New Name',
		name: 'roomName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Project Apollo',
		description: 'The room’s new name',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ room_wxid: 'Room ID', room_name: 'New Name' },
		(_context, _bot, client) =>
			renameRoomTask(
				stringParameter.call(this, 'roomWxid', itemIndex),
				stringParameter.call(this, 'roomName', itemIndex),
				client,
			),
	);
}
