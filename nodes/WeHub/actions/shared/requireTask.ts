import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import type { TaskRecord } from '../../store/TaskStore';

/** A task the store does not know is an error naming the Task ID field and why it can happen. */
export function requireTask(
	this: IExecuteFunctions,
	itemIndex: number,
	taskId: string,
	record: TaskRecord | null,
): TaskRecord {
	if (record) return record;
	throw new NodeOperationError(this.getNode(), `Task ID "${taskId}" is not in the task store`, {
		itemIndex,
		description:
			'Use a task_id returned by a WeHub node with the same credential; finished tasks are removed after the retention period set in the credential',
	});
}
