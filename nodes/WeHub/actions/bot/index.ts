import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll';

export const operations = { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bot'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many bots',
				description: 'List the WeChat accounts that logged in through this App ID',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
