import type { Readable } from 'node:stream';

import { buildUploadAck } from '../protocol/ack';
import type { WeHubUploadAck } from '../protocol/types';
import type { FileRecord, TaskStore } from '../store/TaskStore';
import { isEventSelected } from './events';
import type { CallbackContext } from './handleCallback';
import { item, type TriggerItem } from './items';
import { readMultipartUpload, type UploadedFile } from './multipart';
import { errorMessage } from '../shared/errorMessage';

/** `upload`: the file and its item when one is emitted (the caller turns the file into binary data). */
export interface UploadOutcome {
	status: number;
	ack: WeHubUploadAck;
	upload?: UploadedFile;
	item?: TriggerItem;
}

/**
 * Answers a POST on the upload URL: `file_index` + `file` as multipart/form-data. The file is
 * matched with the message (or task 9) that announced its file_index; unknown ones are refused
 * unless the user allows them, since nothing else authenticates an upload.
 */
export async function handleUpload(
	body: Buffer | Readable,
	contentType: string | undefined,
	ctx: CallbackContext,
): Promise<UploadOutcome> {
	const parsed = await readMultipartUpload(body, contentType, ctx.options.maxUploadBytes);
	if (!parsed.ok) return refuse(parsed.status, parsed.fileIndex ?? '', parsed.reason);
	const upload = parsed.upload;

	let store: TaskStore;
	try {
		store = await ctx.store();
	} catch (error) {
		return refuse(503, upload.fileIndex, `task store unavailable: ${errorMessage(error)}`);
	}
	try {
		const now = ctx.now ?? Date.now();
		const known = await store.getFile(ctx.settings.appid, upload.fileIndex);
		if (!known && !ctx.options.allowUnknownUploads) {
			return refuse(404, upload.fileIndex, `unknown file_index ${upload.fileIndex}`);
		}
		const record = known
			? await store.markFileUploaded(ctx.settings.appid, upload.fileIndex, now)
			: null;
		const ack = buildUploadAck(upload.fileIndex);
		if (!isEventSelected(ctx.options.events, 'file_uploaded')) return { status: 200, ack };
		return {
			status: 200,
			ack,
			upload,
			item: uploadItem(upload, record ?? known, ctx.settings.appid, now),
		};
	} catch (error) {
		return refuse(500, upload.fileIndex, `internal error: ${errorMessage(error)}`);
	}
}

function uploadItem(
	upload: UploadedFile,
	file: FileRecord | null,
	appid: string,
	now: number,
): TriggerItem {
	const roomWxid = file?.room_wxid || null;
	const fromWxid = file?.from_wxid ?? null;
	return item(
		'file_uploaded',
		{ appid, bot_wxid: file?.bot_wxid ?? '', received_at: new Date(now).toISOString() },
		{
			file_index: upload.fileIndex,
			file_name: upload.fileName,
			mime_type: upload.mimeType,
			size: upload.data.length,
			known_file: file !== null,
			kind: file?.kind ?? null,
			msg_type: file?.msg_type ?? null,
			msg_id: file?.msg_id ?? null,
			chat: file ? (roomWxid ? 'room' : 'private') : null,
			room_wxid: roomWxid,
			from_wxid: fromWxid,
			reply_to: roomWxid ?? fromWxid,
			reported_at: file ? new Date(file.reported_at).toISOString() : null,
		},
	);
}

function refuse(status: number, fileIndex: string, reason: string): UploadOutcome {
	return { status, ack: buildUploadAck(fileIndex, status, reason) };
}
