import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { reportRoomMembersTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { wxidListParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['getMembers'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		displayName: 'Room IDs',
		name: 'roomWxids',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 12345678901@chatroom, 23456789012@chatroom',
		description: 'The rooms whose members WeHub should report, separated by commas',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

/** The members do not come back here: WeHub reports them to the WeHub Trigger. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ room_wxid_list: 'Room IDs' },
		() => reportRoomMembersTask(wxidListParameter.call(this, 'roomWxids', itemIndex)),
		{ result_event: 'room_members' },
	);
}
