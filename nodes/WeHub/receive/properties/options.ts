import type { INodeProperties } from 'n8n-workflow';

import { TRIGGER_DEFAULTS } from '../../defaults';

/** The trigger's Options collection, and the hidden parameter that keeps bodies raw. */
export const optionProperties: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'triggerOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Accept Uploads of Unknown Files',
				name: 'allowUnknownUploads',
				type: 'boolean',
				default: false,
				description:
					'Whether to accept uploads whose file_index no reported message announced. Nothing else authenticates an upload.',
			},
			{
				displayName: 'Auto-Accept Friend Requests',
				name: 'autoAcceptFriendRequests',
				type: 'boolean',
				default: false,
				description:
					'Whether to queue an accept task (13) for every friend request; the daily cap of the credential applies',
			},
			{
				displayName: 'Contact Report Lists',
				name: 'contactReportLists',
				type: 'multiOptions',
				options: [
					{ name: 'Friends', value: 'friends' },
					{ name: 'Official Accounts', value: 'officialAccounts' },
					{ name: 'Rooms', value: 'rooms' },
				],
				default: [],
				description:
					'Which lists WeHub reports after login (WeHub 0.4.9+, which reads it from the login answer); none selected reports every list. Big accounts keep reports small this way.',
			},
			{
				displayName: 'Contacts Output',
				name: 'splitContacts',
				type: 'options',
				options: [
					{ name: 'One Summary Item', value: 'none' },
					{ name: 'One Item per Friend, Room or Official Account', value: 'contact' },
				],
				default: 'none',
				description: 'How contact reports and contact updates become items',
			},
			{
				displayName: 'Maximum Upload Size (MB)',
				name: 'maxUploadSizeMb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: TRIGGER_DEFAULTS.maxUploadSizeMb,
				description: 'Larger uploads are refused with an upload_file_ack error',
			},
			{
				displayName: 'Room Members Output',
				name: 'splitRoomMembers',
				type: 'options',
				options: [
					{ name: 'One Summary Item', value: 'none' },
					{ name: 'One Item per Room', value: 'room' },
					{ name: 'One Item per Member', value: 'member' },
				],
				default: 'none',
				description: 'How room member reports become items',
			},
		],
	},
	{
		// Makes n8n (typeVersion 1) skip body parsing: the node reads the raw bytes itself.
		displayName: 'Raw Body',
		name: 'options',
		type: 'hidden',
		default: { binaryData: true },
	},
];
