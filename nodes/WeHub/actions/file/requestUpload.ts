import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { uploadFileTask } from '../../protocol/tasks';
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
 * Marks the file as requested in the store, so the trigger can match the upload with the
 * message it belongs to.
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
			if (known?.state !== 'uploaded') {
				await store.rememberFile({
					appid: bot.appid,
					bot_wxid: bot.wxid,
					file_index: fileIndex,
					reported_at: Date.now(),
					...known,
					state: 'requested',
				});
			}
			return task;
		},
		{ result_event: 'file_uploaded' },
	);
}
