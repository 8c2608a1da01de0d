import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { addRoomMemberAsFriendTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField, roomWxidField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['addMemberAsFriend'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	roomWxidField(displayOptions, 'The room the person is a member of'),
	personWxidField(displayOptions, {
		displayName: 'Member WeChat ID',
		description: 'The room member to send a friend request to',
	}),
	{
		displayName: 'Greeting',
		name: 'greeting',
		type: 'string',
		default: '',
		placeholder: 'e.g. Hi, I am the assistant of this group',
		description:
			'The message shown with the friend request. WeChat accepts about 200 friend requests per account per day; the credential’s daily cap holds the rest back.',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ room_wxid: 'Room ID', wxid: 'Member WeChat ID', msg: 'Greeting' },
		() =>
			addRoomMemberAsFriendTask(
				stringParameter.call(this, 'roomWxid', itemIndex),
				stringParameter.call(this, 'wxid', itemIndex),
				stringParameter.call(this, 'greeting', itemIndex),
			),
	);
}
