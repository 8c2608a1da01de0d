import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inviteRoomMemberTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField, roomWxidField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['inviteMember'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	roomWxidField(displayOptions),
	personWxidField(displayOptions, {
		displayName: 'Friend WeChat ID',
		description: 'The friend of the bot to invite',
	}),
	{
		displayName: 'Add Directly',
		name: 'addDirectly',
		type: 'boolean',
		default: false,
		description:
			'Whether to add the friend without an invitation card (WeHub 0.2 and later; fails in rooms above 40 members)',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ room_wxid: 'Room ID', wxid: 'Friend WeChat ID', flag: 'Add Directly' },
		(_context, _bot, client) =>
			inviteRoomMemberTask(
				stringParameter.call(this, 'roomWxid', itemIndex),
				stringParameter.call(this, 'wxid', itemIndex),
				this.getNodeParameter('addDirectly', itemIndex, false) as boolean,
				client,
			),
	);
}
