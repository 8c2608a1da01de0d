import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { openActionContext } from '../shared/context';
import { taskIdField } from '../shared/fields';
import { requireTask } from '../shared/requireTask';
import { stringParameter } from '../shared/parameters';
import { taskOutput } from '../shared/taskOutput';

const displayOptions = { show: { resource: ['task'], operation: ['get'] } };

export const description: INodeProperties[] = [taskIdField(displayOptions)];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { settings, store } = await openActionContext.call(this, itemIndex);
	const taskId = stringParameter.call(this, 'taskId', itemIndex);
	const record = await store.get(settings.appid, taskId);
	return taskOutput(requireTask.call(this, itemIndex, taskId, record));
}
