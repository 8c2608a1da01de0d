import type { INodeProperties } from 'n8n-workflow';

import * as acceptFriendRequest from './acceptFriendRequest';
import * as checkZombie from './checkZombie';
import * as deleteContact from './delete';
import * as getInfo from './getInfo';
import * as reReport from './reReport';
import * as setRemark from './setRemark';

export const operations = {
	acceptFriendRequest,
	checkZombie,
	delete: deleteContact,
	getInfo,
	reReport,
	setRemark,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{
				name: 'Accept Friend Request',
				value: 'acceptFriendRequest',
				action: 'Accept a friend request',
				description: 'Accept a friend request (task 13)',
			},
			{
				name: 'Check Zombie',
				value: 'checkZombie',
				action: 'Check whether a friend deleted or blocked the bot',
				description: 'Check whether a friend deleted or blocked the bot (task 15)',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a friend',
				description: 'Remove a friend from the bot’s contacts (task 12)',
			},
			{
				name: 'Get Info',
				value: 'getInfo',
				action: 'Get a contact profile',
				description: 'Ask WeHub to report a person’s profile to the WeHub Trigger (task 16)',
			},
			{
				name: 'Re-Report Contacts',
				value: 'reReport',
				action: 'Re-report the bot contacts',
				description: 'Ask WeHub to report the contact lists again (task 14)',
			},
			{
				name: 'Set Remark',
				value: 'setRemark',
				action: 'Set a friend remark',
				description: 'Set the remark name of a friend (task 6)',
			},
		],
		default: 'acceptFriendRequest',
	},
	...acceptFriendRequest.description,
	...checkZombie.description,
	...deleteContact.description,
	...getInfo.description,
	...reReport.description,
	...setRemark.description,
];
