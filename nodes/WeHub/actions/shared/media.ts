import { randomBytes } from 'node:crypto';
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { QUEUE_DEFAULTS } from '../../defaults';
import { MEDIA_BASE_URL_SETTING } from '../../shared/mediaBaseUrl';
import type { MediaRecord, TaskStore } from '../../store/TaskStore';

/** WeChat's own limits are about this size for images and videos; bigger blobs strain the store. */
export const MAX_MEDIA_BYTES = QUEUE_DEFAULTS.maxMediaBytes;

export interface MediaRequest {
	appid: string;
	itemIndex: number;
	binaryPropertyName: string;
	/** The parameter that names the binary property, for error messages. */
	fieldLabel: string;
	/** Content check for the unit type; returns a reason when the data does not fit. */
	accept?: (mimeType: string, fileName: string) => string | undefined;
	/** "Media Base URL" option; empty = the URL the WeHub Trigger recorded. */
	baseUrlOverride?: string;
	/** The media must outlive the task's Not Before. */
	availableFrom: number;
	ttlMinutes: number;
	/** Whether the URL may show this extension (a File unit hides `.mp4`, or WeHub sends a video). */
	keepExtension?: (extension: string) => boolean;
}

/** Binary data checked and given its URL; stored (`record`) only once the whole task is valid. */
export interface PreparedMedia {
	url: string;
	record: MediaRecord;
}

/**
 * Checks an item's binary property and gives it an unguessable id (128 random bits as hex) and
 * the URL WeHub downloads it from: `<media base URL>/<id>.<extension>`. The extension is there
 * because WeHub tells an mp4 video from a file by the URL; the trigger serves the id with or
 * without it. Writes nothing: the caller stores `record` when the task is queued.
 */
export async function prepareBinaryMedia(
	this: IExecuteFunctions,
	store: Pick<TaskStore, 'getSetting'>,
	request: MediaRequest,
): Promise<PreparedMedia> {
	const { itemIndex, binaryPropertyName, fieldLabel } = request;
	const fail = (message: string, description: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex, description });

	const baseUrl = (
		request.baseUrlOverride?.trim() ||
		(await store.getSetting(request.appid, MEDIA_BASE_URL_SETTING)) ||
		''
	).replace(/\/+$/, '');
	if (!baseUrl) {
		throw fail(
			'No media URL is known for this credential, so WeHub could not download the binary data',
			'Activate the WeHub Trigger for this credential (it records its public media URL) or set Options › Media Base URL',
		);
	}

	const binary = this.helpers.assertBinaryData(itemIndex, binaryPropertyName);
	const mimeType = binary.mimeType || 'application/octet-stream';
	const fileName =
		binary.fileName || `file${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;
	const refusal = request.accept?.(mimeType, fileName);
	if (refusal) {
		throw fail(`${fieldLabel} "${binaryPropertyName}": ${refusal}`, `Check ${fieldLabel}`);
	}
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	if (data.length > MAX_MEDIA_BYTES) {
		throw fail(
			`${fieldLabel} "${binaryPropertyName}" is ${megabytes(data.length)} MB; at most ${megabytes(MAX_MEDIA_BYTES)} MB can be sent`,
			'Send a smaller file, or host it elsewhere and send its URL',
		);
	}
	if (data.length === 0) {
		throw fail(`${fieldLabel} "${binaryPropertyName}" is empty`, `Check ${fieldLabel}`);
	}

	const id = randomBytes(16).toString('hex');
	const now = Date.now();
	const extension = urlExtension(fileName, binary.fileExtension);
	const keep = extension && (request.keepExtension?.(extension) ?? true);
	return {
		url: `${baseUrl}/${id}${keep ? `.${extension}` : ''}`,
		record: {
			id,
			appid: request.appid,
			mime_type: mimeType,
			file_name: fileName,
			data,
			created_at: now,
			expires_at: Math.max(now, request.availableFrom) + request.ttlMinutes * 60_000,
		},
	};
}

/** A short lower-case extension from the binary's metadata or its file name, if it has one. */
export function urlExtension(fileName: string, fileExtension?: string): string | undefined {
	const candidate = fileExtension || /\.([^./]+)$/.exec(fileName)?.[1];
	return candidate && /^[A-Za-z0-9]{1,8}$/.test(candidate) ? candidate.toLowerCase() : undefined;
}

function megabytes(bytes: number): string {
	return (bytes / 1024 / 1024).toFixed(1);
}
