import type { Readable } from 'node:stream';

import { isRoomWxid } from '../protocol/ids';
import { buildUploadAck } from '../protocol/ack';
import type { WeHubUploadAck } from '../protocol/types';
import type { FileRecord, TaskStore } from '../store/TaskStore';
import { isEventSelected } from './events';
import type { CallbackContext } from './handleCallback';
import { INBOX_FULL_REASON, keepInInbox, newDeliveryId } from './inbox';
import { item, type TriggerItem } from './items';
import { readMultipartUpload, type UploadedFile } from './multipart';
import { errorMessage } from '../shared/errorMessage';

/**
 * The ack (always sent with HTTP 200: `error_code` says what went wrong, and WeHub shows
 * `error_reason` only from answers it reads), plus the file and its item when one is emitted (the
 * caller turns the file into binary data).
 */
export interface UploadOutcome {
	ack: WeHubUploadAck;
	upload?: UploadedFile;
	item?: TriggerItem;
	/** The inbox entry holding the item and the file, when the context keeps them. */
	deliveryId?: string;
}

/**
 * Answers a POST on the upload URL: `file_index` + `file` as multipart/form-data. The file is
 * matched with the message (or task 9) that announced its file_index; unknown ones are refused
 * unless the user allows them, since nothing else authenticates an upload. The same file uploaded
 * again (WeHub retries, or a replayed body) gets the same ack and starts nothing.
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
		const { appid } = ctx.settings;
		const ack = buildUploadAck(upload.fileIndex);
		let file: FileRecord | null = null;
		const mark = await store.markFileUploaded(appid, upload.fileIndex, now);
		if (mark) {
			if (mark.repeated) return { ack };
			file = mark.file;
		} else if (!ctx.options.allowUnknownUploads) {
			return refuse(404, upload.fileIndex, `unknown file_index ${upload.fileIndex}`);
		} else {
			// Remembered as uploaded, so that a repeat of this unannounced upload starts nothing either.
			await store.rememberFile({
				appid,
				bot_wxid: '',
				file_index: upload.fileIndex,
				state: 'uploaded',
				reported_at: now,
				uploaded_at: now,
			});
		}
		if (!isEventSelected(ctx.options.events, 'file_uploaded')) return { ack };
		const uploaded = uploadItem(upload, file, appid, now);
		if (!ctx.inbox) return { ack, upload, item: uploaded };
		const deliveryId = newDeliveryId();
		const kept = await keepInInbox(store, ctx.inbox, deliveryId, [uploaded], now, upload);
		if (kept === 'full') return refuse(503, upload.fileIndex, INBOX_FULL_REASON);
		return { ack, upload, item: uploaded, ...(kept === 'stored' && { deliveryId }) };
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
	// The room of the message that announced the file (message.ts decides it with isRoomWxid); a
	// record without one whose sender is a room still belongs to that room.
	const fromWxid = file?.from_wxid ?? null;
	const roomWxid = file?.room_wxid || (isRoomWxid(fromWxid) ? fromWxid : null);
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

function refuse(errorCode: number, fileIndex: string, reason: string): UploadOutcome {
	return { ack: buildUploadAck(fileIndex, errorCode, reason) };
}
