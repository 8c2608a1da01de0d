import type { IDataObject } from 'n8n-workflow';

import { TASK_TYPE_NAMES } from '../../protocol/tasks';
import { FINISHED_STATES, type TaskRecord } from '../../store/TaskStore';

/**
 * A task record as an n8n item: the record as stored, plus the task type's name and flags a flow
 * can branch on without knowing every state.
 */
export function taskOutput(record: TaskRecord): IDataObject {
	const finished = FINISHED_STATES.includes(record.state);
	return {
		...(record as unknown as IDataObject),
		task_type: record.task.task_type,
		task_type_name: TASK_TYPE_NAMES[record.task.task_type],
		finished,
		success: record.state === 'done',
	};
}
