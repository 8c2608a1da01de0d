import type { INodeProperties } from 'n8n-workflow';

import * as accept from './accept';

export const operations = { accept };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['transfer'] } },
		options: [
			{
				name: 'Accept',
				value: 'accept',
				action: 'Accept a transfer',
				description: 'Accept a WeChat Pay transfer sent to the bot (task 11)',
			},
		],
		default: 'accept',
	},
	...accept.description,
];
