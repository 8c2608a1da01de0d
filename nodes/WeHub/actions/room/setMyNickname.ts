import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { setRoomNicknameTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField, roomWxidField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['setMyNickname'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	roomWxidField(displayOptions),
	{
		displayName: 'Nickname',
		name: 'nickname',
		type: 'string',
		default: '',
		placeholder: 'e.g. Helper Bot',
		description: 'The bot’s display name in this room; empty resets it to the bot’s WeChat name',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ room_wxid: 'Room ID', room_nickname: 'Nickname' },
		() =>
			setRoomNicknameTask(
				stringParameter.call(this, 'roomWxid', itemIndex),
				stringParameter.call(this, 'nickname', itemIndex),
			),
	);
}
