import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';

import { tagContactsTask } from '../../protocol/tasks';
import type { TagOpCode } from '../../protocol/types';
import { stringParameter, wxidListParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

export function tagNameField(
	displayOptions: IDisplayOptions,
	description = 'The tag, as the bot’s WeChat shows it',
): INodeProperties {
	return {
		displayName: 'Tag Name',
		name: 'tagName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. VIP 客户',
		description,
		displayOptions,
	};
}

export function tagMembersField(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Friend or Room IDs',
		name: 'wxids',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. wxid_abc123, 12345678901@chatroom',
		description:
			'Friends and rooms (wxids), separated by commas. Strangers and WeCom contacts cannot be tagged.',
		displayOptions,
	};
}

/** Task 100 with the item's Tag Name and Friend or Room IDs (op_code 1 adds, 2 removes). */
export async function queueTagMembership(
	this: IExecuteFunctions,
	itemIndex: number,
	opCode: TagOpCode,
): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ tag_name: 'Tag Name', wxid_list: 'Friend or Room IDs' },
		(_context, _bot, client) =>
			tagContactsTask(
				stringParameter.call(this, 'tagName', itemIndex),
				wxidListParameter.call(this, 'wxids', itemIndex),
				opCode,
				client,
			),
	);
}
