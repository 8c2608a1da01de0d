import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { quitRoomTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField, roomWxidField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['quit'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	roomWxidField(displayOptions, 'The room the bot leaves'),
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(this, itemIndex, { room_wxid: 'Room ID' }, () =>
		quitRoomTask(stringParameter.call(this, 'roomWxid', itemIndex)),
	);
}
