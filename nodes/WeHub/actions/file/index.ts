import type { INodeProperties } from 'n8n-workflow';

import * as requestUpload from './requestUpload';

export const operations = { requestUpload };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['file'] } },
		options: [
			{
				name: 'Request Upload',
				value: 'requestUpload',
				action: 'Request a file upload',
				description: 'Ask WeHub to upload the file of a received message (task 9)',
			},
		],
		default: 'requestUpload',
	},
	...requestUpload.description,
];
