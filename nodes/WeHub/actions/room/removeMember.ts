import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { removeRoomMemberTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField, roomWxidField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['removeMember'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		...roomWxidField(
			displayOptions,
			'The room to remove the member from; empty removes them from every room the bot owns',
		),
		required: false,
	},
	personWxidField(displayOptions, {
		displayName: 'Member WeChat ID',
		description: 'The member to remove; the bot must own the room',
	}),
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ room_wxid: 'Room ID', wxid: 'Member WeChat ID' },
		() =>
			removeRoomMemberTask(
				stringParameter.call(this, 'roomWxid', itemIndex),
				stringParameter.call(this, 'wxid', itemIndex),
			),
	);
}
