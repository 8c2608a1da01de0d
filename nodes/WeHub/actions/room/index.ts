import type { INodeProperties } from 'n8n-workflow';

import * as acceptInvitation from './acceptInvitation';
import * as addMemberAsFriend from './addMemberAsFriend';
import * as create from './create';
import * as getMembers from './getMembers';
import * as inviteMember from './inviteMember';
import * as postAnnouncement from './postAnnouncement';
import * as quit from './quit';
import * as removeMember from './removeMember';
import * as rename from './rename';
import * as setMyNickname from './setMyNickname';

export const operations = {
	acceptInvitation,
	addMemberAsFriend,
	create,
	getMembers,
	inviteMember,
	postAnnouncement,
	quit,
	removeMember,
	rename,
	setMyNickname,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['room'] } },
		options: [
			{
				name: 'Accept Invitation',
				value: 'acceptInvitation',
				action: 'Accept a room invitation',
				description: 'Join a room from an invitation link (task 19)',
			},
			{
				name: 'Add Member as Friend',
				value: 'addMemberAsFriend',
				action: 'Add a room member as friend',
				description: 'Send a friend request to a room member (task 5)',
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a room',
				description: 'Create a room with at least two friends (task 17)',
			},
			{
				name: 'Get Members',
				value: 'getMembers',
				action: 'Get room members',
				description: 'Ask WeHub to report the members of rooms to the WeHub Trigger (task 4)',
			},
			{
				name: 'Invite Member',
				value: 'inviteMember',
				action: 'Invite a friend to a room',
				description: 'Invite a friend of the bot to a room (task 3)',
			},
			{
				name: 'Post Announcement',
				value: 'postAnnouncement',
				action: 'Post a room announcement',
				description: 'Post the room announcement (task 10)',
			},
			{
				name: 'Quit',
				value: 'quit',
				action: 'Quit a room',
				description: 'Make the bot leave a room (task 8)',
			},
			{
				name: 'Remove Member',
				value: 'removeMember',
				action: 'Remove a member from a room',
				description: 'Remove a member from a room the bot owns (task 2)',
			},
			{
				name: 'Rename',
				value: 'rename',
				action: 'Rename a room',
				description: 'Change the room’s name (task 18)',
			},
			{
				name: 'Set My Nickname',
				value: 'setMyNickname',
				action: 'Set the bot nickname in a room',
				description: 'Set the bot’s display name in a room (task 7)',
			},
		],
		default: 'inviteMember',
	},
	...acceptInvitation.description,
	...addMemberAsFriend.description,
	...create.description,
	...getMembers.description,
	...inviteMember.description,
	...postAnnouncement.description,
	...quit.description,
	...removeMember.description,
	...rename.description,
	...setMyNickname.description,
];
