import type { INodeProperties } from 'n8n-workflow';

import * as cancel from './cancel';
import * as get from './get';
import * as getAll from './getAll';
import * as waitForResult from './waitForResult';

export const operations = { cancel, get, getAll, waitForResult };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['task'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel a queued task',
				description: 'Cancel a task WeHub has not pulled yet',
			},
			{ name: 'Get', value: 'get', action: 'Get a task', description: 'Get a task by ID' },
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many tasks',
				description: 'List a bot’s tasks, oldest first',
			},
			{
				name: 'Wait for Result',
				value: 'waitForResult',
				action: 'Wait for a task result',
				description: 'Wait until WeHub reports the task’s result',
			},
		],
		default: 'get',
	},
	...cancel.description,
	...get.description,
	...getAll.description,
	...waitForResult.description,
];
