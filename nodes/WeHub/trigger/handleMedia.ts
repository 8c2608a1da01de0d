import type { WeHubAck } from '../protocol/types';
import type { TaskStore } from '../store/TaskStore';

export type MediaResponse =
	| {
			status: 200;
			headers: Record<string, string>;
			body: Buffer;
	  }
	| {
			status: number;
			headers: Record<string, string>;
			body: WeHubAck;
	  };

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/**
 * Serves a file the action node stored for WeHub to download (images, videos, files it sends).
 * The id may carry the file's extension (`abc123.mp4`), which some WeHub clients look at to pick
 * how to send a URL; the store knows the id with or without it.
 */
export async function handleMedia(
	id: string | undefined,
	appid: string,
	store: TaskStore,
	now = Date.now(),
): Promise<MediaResponse> {
	const wanted = (id ?? '').trim();
	if (!wanted) return notFound('no media id in the URL');
	// Ids are short; a long one would not fit a store key (lmdb throws above 1,978 bytes).
	if (wanted.length > 256) return notFound('no media with such a long id');
	const record =
		(await store.getMedia(wanted, now)) ??
		(wanted.includes('.') ? await store.getMedia(wanted.replace(/\.[^./]*$/, ''), now) : null);
	// Another app's media is not ours to serve, even on a shared store.
	if (!record || record.appid !== appid) return notFound(`no media ${wanted} (unknown or expired)`);
	return {
		status: 200,
		headers: {
			'content-type': record.mime_type || 'application/octet-stream',
			'content-length': String(record.data.length),
			'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(record.file_name)}`,
			'cache-control': `private, max-age=${Math.max(0, Math.floor((record.expires_at - now) / 1000))}`,
		},
		body: record.data,
	};
}

function notFound(reason: string): MediaResponse {
	return {
		status: 404,
		headers: JSON_HEADERS,
		body: { error_code: 404, error_reason: reason, ack_type: 'common_ack', data: {} },
	};
}
