import type { INodeProperties } from 'n8n-workflow';

import { TRIGGER_DEFAULTS } from '../../defaults';
import { EVENT_CHOICES } from '../../trigger/events';

const whenMessages = { show: { events: ['message', '*'] } };

/** Which callbacks start the workflow, and which messages among them. */
export const eventProperties: INodeProperties[] = [
	{
		displayName: 'Trigger On',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_CHOICES.map((choice) => ({ ...choice })),
		required: true,
		default: [...TRIGGER_DEFAULTS.events],
		description:
			'Events that start the workflow. Every callback is answered either way; * selects all.',
	},
	{
		displayName: 'Ignore Own Messages',
		name: 'ignoreOwnMessages',
		type: 'boolean',
		default: TRIGGER_DEFAULTS.ignoreOwnMessages,
		description:
			'Whether to drop messages the bot sent itself (from any device). Answering them loops and gets WeChat accounts banned.',
		displayOptions: whenMessages,
	},
	{
		displayName: 'Message Filters',
		name: 'messageFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: whenMessages,
		options: [
			{
				displayName: 'Chat',
				name: 'chat',
				type: 'options',
				options: [
					{ name: 'All Chats', value: 'all' },
					{ name: 'Private Chats Only', value: 'private' },
					{ name: 'Rooms Only', value: 'room' },
				],
				default: 'all',
			},
			{
				displayName: 'Message Kinds',
				name: 'kinds',
				type: 'multiOptions',
				options: [
					{ name: 'Contact Card', value: 'card' },
					{ name: 'Emoji', value: 'emoji' },
					{ name: 'File', value: 'file' },
					{ name: 'Image', value: 'image' },
					{ name: 'Link', value: 'link' },
					{ name: 'Mini Program', value: 'mini_program' },
					{ name: 'System Notice', value: 'system' },
					{ name: 'Text', value: 'text' },
					{ name: 'Transfer', value: 'transfer' },
					{ name: 'Unknown', value: 'unknown' },
					{ name: 'Video', value: 'video' },
					{ name: 'Voice', value: 'voice' },
				],
				default: [],
				description: 'Kinds of message to emit; none selected emits every kind',
			},
			{
				displayName: 'Only When Bot Is Mentioned',
				name: 'onlyWhenMentioned',
				type: 'boolean',
				default: false,
				description:
					'Whether room messages must mention the bot (@) to start the workflow; private messages always do',
			},
			{
				displayName: 'Rooms',
				name: 'rooms',
				type: 'string',
				default: '',
				placeholder: 'e.g. 12345678@chatroom, 87654321@chatroom',
				description:
					'Only messages of these rooms, separated by commas or new lines; empty allows every room. Private messages are not affected.',
			},
		],
	},
];
