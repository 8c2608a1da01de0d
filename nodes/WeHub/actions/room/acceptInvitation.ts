import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { acceptRoomInvitationTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['room'], operation: ['acceptInvitation'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		displayName: 'Invitation URL',
		name: 'inviteUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder:
			'e.g. https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=...',
		description:
			'The link of a room invitation message (a link with sub_type 5 on the WeHub Trigger). Accepting invitations is rate-limited by WeChat; the credential’s daily cap holds the rest back.',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ invite_url: 'Invitation URL' },
		(_context, _bot, client) =>
			acceptRoomInvitationTask(stringParameter.call(this, 'inviteUrl', itemIndex), client),
	);
}
