import type { INodeProperties } from 'n8n-workflow';

import * as bot from './bot';
import * as contact from './contact';
import * as file from './file';
import * as inbox from './inbox';
import * as message from './message';
import * as room from './room';
import * as tag from './tag';
import * as task from './task';
import * as transfer from './transfer';
import type { Resource } from './shared/operation';

/** Every resource of the WeHub node, by the value of its "Resource" option. */
export const resources: Record<string, Resource> = {
	bot,
	contact,
	file,
	inbox,
	message,
	room,
	tag,
	task,
	transfer,
};

export const resourceField: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Bot', value: 'bot', description: 'Logged-in WeChat accounts and their queues' },
		{ name: 'Contact', value: 'contact', description: 'Friends and other WeChat users' },
		{ name: 'File', value: 'file', description: 'Files WeHub has seen in messages' },
		{
			name: 'Inbox',
			value: 'inbox',
			description: 'Events received whose executions have not ended yet',
		},
		{ name: 'Message', value: 'message', description: 'Messages to rooms and people' },
		{ name: 'Room', value: 'room', description: 'Group chats' },
		{ name: 'Tag', value: 'tag', description: 'Local tags of friends and rooms (WeHub 0.4.2+)' },
		{ name: 'Task', value: 'task', description: 'Queued WeHub tasks' },
		{ name: 'Transfer', value: 'transfer', description: 'WeChat Pay transfers' },
	],
	default: 'message',
};

export const resourceProperties: INodeProperties[] = [
	resourceField,
	...Object.values(resources).flatMap((resource) => resource.description),
];
