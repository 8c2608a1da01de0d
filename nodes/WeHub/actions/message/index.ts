import type { INodeProperties } from 'n8n-workflow';

import * as send from './send';

export const operations = { send };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Send',
				value: 'send',
				action: 'Send a WeChat message',
				description:
					'Send text, images, links, videos, files, cards and more to a room or a person (task 1)',
			},
		],
		default: 'send',
	},
	...send.description,
];
