import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { TAG_OP_CODES } from '../../protocol/tasks';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { queueTagMembership, tagMembersField, tagNameField } from './fields';

const displayOptions = { show: { resource: ['tag'], operation: ['removeContacts'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	tagNameField(displayOptions),
	tagMembersField(displayOptions),
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTagMembership.call(this, itemIndex, TAG_OP_CODES.remove);
}
