import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { postRoomAnnouncementTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField, roomWxidField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['postAnnouncement'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	roomWxidField(displayOptions, 'The room; the bot must own it or be an admin'),
	{
		displayName: 'Announcement',
		name: 'announcement',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. The meeting moves to 3 pm on Friday',
		description: 'The announcement text; WeChat notifies every member',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ room_wxid: 'Room ID', msg: 'Announcement' },
		() =>
			postRoomAnnouncementTask(
				stringParameter.call(this, 'roomWxid', itemIndex),
				stringParameter.call(this, 'announcement', itemIndex),
			),
	);
}
