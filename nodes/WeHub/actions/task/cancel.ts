import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { openActionContext } from '../shared/context';
import { taskIdField } from '../shared/fields';
import { requireTask } from '../shared/requireTask';
import { stringParameter } from '../shared/parameters';
import { taskOutput } from '../shared/taskOutput';

const displayOptions = { show: { resource: ['task'], operation: ['cancel'] } };

export const description: INodeProperties[] = [taskIdField(displayOptions)];

/**
 * Only a queued task can be cancelled; one WeHub already pulled is output unchanged with
 * `cancelled: false`, so a flow can tell the two apart without an error.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { settings, store } = await openActionContext.call(this, itemIndex);
	const taskId = stringParameter.call(this, 'taskId', itemIndex);
	const record = requireTask.call(
		this,
		itemIndex,
		taskId,
		await store.cancel(settings.appid, taskId),
	);
	return { ...taskOutput(record), cancelled: record.state === 'cancelled' };
}
