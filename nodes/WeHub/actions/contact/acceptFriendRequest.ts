import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import { acceptFriendRequestTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['contact'], operation: ['acceptFriendRequest'] } };
const byRequester = { show: { ...displayOptions.show, identifyBy: ['requester'] } };
const byTickets = { show: { ...displayOptions.show, identifyBy: ['tickets'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		displayName: 'Identify Request By',
		name: 'identifyBy',
		type: 'options',
		options: [
			{
				name: 'Requester WeChat ID',
				value: 'requester',
				description: 'The request the WeHub Trigger stored for this person',
			},
			{
				name: 'V1 and V2',
				value: 'tickets',
				description: 'The v1 and v2 tickets of a friend request item',
			},
		],
		default: 'tickets',
		displayOptions,
	},
	{
		displayName: 'V1',
		name: 'v1',
		type: 'string',
		required: true,
		default: '={{ $json.v1 }}',
		placeholder: 'e.g. v1_0b9b3ac4...@stranger',
		description: 'The v1 ticket of the friend request',
		displayOptions: byTickets,
	},
	{
		displayName: 'V2',
		name: 'v2',
		type: 'string',
		required: true,
		default: '={{ $json.v2 }}',
		placeholder: 'e.g. v2_3d1f77a2...@stranger',
		description: 'The v2 ticket of the friend request',
		displayOptions: byTickets,
	},
	{
		displayName: 'Requester WeChat ID',
		name: 'requesterWxid',
		type: 'string',
		required: true,
		default: '={{ $json.requester_wxid }}',
		placeholder: 'e.g. wxid_abc123',
		description: 'The wxid of the person who asked to be the bot’s friend',
		displayOptions: byRequester,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const identifyBy = this.getNodeParameter('identifyBy', itemIndex, 'tickets') as string;
	const labels = { v1: 'V1', v2: 'V2' };
	if (identifyBy === 'tickets') {
		return await queueTaskFromParameters.call(this, itemIndex, labels, () =>
			acceptFriendRequestTask(
				stringParameter.call(this, 'v1', itemIndex),
				stringParameter.call(this, 'v2', itemIndex),
			),
		);
	}
	return await queueTaskFromParameters.call(this, itemIndex, labels, async ({ store }, bot) => {
		const requester = stringParameter.call(this, 'requesterWxid', itemIndex);
		const request = requester ? await store.getFriendRequest(bot, requester) : null;
		if (!request) {
			throw new NodeOperationError(
				this.getNode(),
				`Requester WeChat ID "${requester}": no friend request from this person is stored for bot ${bot.wxid}`,
				{
					itemIndex,
					description:
						'The WeHub Trigger stores friend requests as they arrive (and removes them after the retention period). Check the wxid, or choose "Identify Request By: V1 and V2" with the tickets from the request item.',
				},
			);
		}
		return acceptFriendRequestTask(request.v1, request.v2);
	});
}
