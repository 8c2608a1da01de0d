import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import { removeRoomMemberTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField, roomWxidField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['removeMember'] } };

/** The only value of Remove From that sends WeHub's empty room_wxid; anything else needs a room. */
const EVERY_OWNED_ROOM = 'everyOwnedRoom';

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		displayName: 'Remove From',
		name: 'removeFrom',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Every Room the Bot Owns',
				value: EVERY_OWNED_ROOM,
				description: 'Removes the member from all rooms the bot owns at once',
			},
			{ name: 'One Room', value: 'room', description: 'The room given as Room ID' },
		],
		default: 'room',
		displayOptions,
	},
	roomWxidField(
		{ show: { ...displayOptions.show, removeFrom: ['room'] } },
		'The room to remove the member from, e.g. from the WeHub Trigger item’s room_wxid',
	),
	personWxidField(displayOptions, {
		displayName: 'Member WeChat ID',
		description: 'The member to remove; the bot must own the room',
	}),
	queueOptionsField(displayOptions),
];

/**
 * Task 2. WeHub reads an empty room_wxid as "every room the bot owns", so an expression that
 * resolves to nothing must not get there: that takes Remove From "Every Room the Bot Owns".
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ room_wxid: 'Room ID', wxid: 'Member WeChat ID' },
		() => {
			const everyOwnedRoom =
				this.getNodeParameter('removeFrom', itemIndex, 'room') === EVERY_OWNED_ROOM;
			const room = everyOwnedRoom ? '' : stringParameter.call(this, 'roomWxid', itemIndex);
			if (!everyOwnedRoom && !room) {
				throw new NodeOperationError(this.getNode(), 'Room ID is empty', {
					itemIndex,
					description:
						'Set Room ID to the room to remove the member from (e.g. {{ $json.room_wxid }}), or choose Remove From "Every Room the Bot Owns"',
				});
			}
			return removeRoomMemberTask(room, stringParameter.call(this, 'wxid', itemIndex));
		},
	);
}
