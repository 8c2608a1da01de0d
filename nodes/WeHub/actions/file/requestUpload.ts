import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { uploadFileTask } from '../../protocol/tasks';
import type { FileRecord } from '../../store/TaskStore';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['file'], operation: ['requestUpload'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		displayName: 'File Index',
		name: 'fileIndex',
		type: 'string',
		required: true,
		default: '={{ $json.file_index }}',
		placeholder: 'e.g. 3f1c2a7b9d0e4f5a',
		description:
			'The file_index of an image, voice, video or file message. WeHub then posts the file to the WeHub Trigger’s upload URL (File Uploaded event); it cannot for media WeChat has not finished downloading.',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

/**
 * Task 9. The file is marked requested in the store when the task is queued, so the trigger takes
 * its upload and matches it with the message it belongs to; an uploaded file stays as it is.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ file_index: 'File Index' },
		async ({ store }, bot) => {
			const fileIndex = stringParameter.call(this, 'fileIndex', itemIndex);
			const task = uploadFileTask(fileIndex);
			const known = await store.getFile(bot.appid, fileIndex);
			if (known?.state === 'uploaded') return task;
			const requested: FileRecord = {
				appid: bot.appid,
				bot_wxid: bot.wxid,
				file_index: fileIndex,
				reported_at: Date.now(),
				...known,
				state: 'requested',
			};
			return { task, files: [requested] };
		},
		{ result_event: 'file_uploaded' },
	);
}
