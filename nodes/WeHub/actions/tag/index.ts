import type { INodeProperties } from 'n8n-workflow';

import * as addContacts from './addContacts';
import * as deleteTag from './delete';
import * as removeContacts from './removeContacts';
import * as rename from './rename';

export const operations = { addContacts, delete: deleteTag, removeContacts, rename };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['tag'] } },
		options: [
			{
				name: 'Add Contacts',
				value: 'addContacts',
				action: 'Add friends or rooms to a tag',
				description: 'Tag friends or rooms, creating the tag if needed (task 100, WeHub 0.4.2+)',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a tag',
				description: 'Delete a tag; its friends and rooms stay (task 100, WeHub 0.4.2+)',
			},
			{
				name: 'Remove Contacts',
				value: 'removeContacts',
				action: 'Remove friends or rooms from a tag',
				description: 'Untag friends or rooms (task 100, WeHub 0.4.2+)',
			},
			{
				name: 'Rename',
				value: 'rename',
				action: 'Rename a tag',
				description: 'Give a tag a new name (task 101, WeHub 0.4.2+)',
			},
		],
		default: 'addContacts',
	},
	...addContacts.description,
	...deleteTag.description,
	...removeContacts.description,
	...rename.description,
];
