import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll';

export const operations = { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['inbox'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get undelivered events',
				description:
					'Events the WeHub Trigger received whose executions have not ended yet (Durable Delivery)',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
