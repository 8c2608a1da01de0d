import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { openActionContext } from '../shared/context';
import { taskIdField } from '../shared/fields';
import { requireTask } from '../shared/requireTask';
import { stringParameter } from '../shared/parameters';
import { taskOutput } from '../shared/taskOutput';

const displayOptions = { show: { resource: ['task'], operation: ['waitForResult'] } };

export const description: INodeProperties[] = [
	taskIdField(displayOptions),
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60,
		description: 'How long to wait; at the timeout the task is output in its current state',
		displayOptions,
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { settings, store } = await openActionContext.call(this, itemIndex);
	const taskId = stringParameter.call(this, 'taskId', itemIndex);
	const timeoutSeconds = this.getNodeParameter('timeoutSeconds', itemIndex, 60) as number;
	const record = await store.waitForResult(
		settings.appid,
		taskId,
		Math.max(1, timeoutSeconds) * 1000,
	);
	return taskOutput(requireTask.call(this, itemIndex, taskId, record));
}
