import { randomBytes } from 'node:crypto';

import type { InboxEntry, TaskStore } from '../store/TaskStore';
import type { TriggerItem } from './items';
import type { UploadedFile } from './multipart';

/**
 * Where the trigger keeps events it acknowledged until their workflow execution has ended (the
 * listener's "Durable Delivery"): written before the ack goes out, removed when n8n reports the
 * execution done, replayed by a listener of the same workflow when the process that took it died.
 */
export interface InboxConfig {
	/** The trigger: `<workflow id>/<node name>`. */
	owner: string;
	/** This listener (process): its leases say "being delivered, leave it". */
	holder: string;
	leaseMs: number;
	maxEntries: number;
	/** Older entries are dropped instead of replayed. */
	maxAgeMs: number;
}

/** Uploads up to this size keep their bytes in the inbox; larger ones are delivered once, at most. */
export const MAX_INBOX_UPLOAD_BYTES = 25 * 1024 * 1024;

export function newDeliveryId(): string {
	return `d${Date.now().toString(36)}${randomBytes(9).toString('base64url')}`;
}

/**
 * Marks the items with their delivery (`delivery_id`, which action nodes turn into idempotency
 * keys, and `replayed: false`) and keeps them in the inbox. 'full' when the bound is reached.
 */
export async function keepInInbox(
	store: TaskStore,
	config: InboxConfig,
	deliveryId: string,
	items: TriggerItem[],
	now: number,
	upload?: UploadedFile,
): Promise<'stored' | 'full' | 'not_kept'> {
	if (upload && upload.data.length > MAX_INBOX_UPLOAD_BYTES) return 'not_kept';
	for (const item of items) {
		item.delivery_id = deliveryId;
		item.replayed = false;
	}
	return await store.inboxPut(
		{
			id: deliveryId,
			appid: items[0].appid,
			owner: config.owner,
			bot_wxid: items[0].bot_wxid,
			items,
			...(upload && {
				upload: {
					file_index: upload.fileIndex,
					file_name: upload.fileName,
					mime_type: upload.mimeType,
					data: upload.data,
				},
			}),
			received_at: now,
			holder: config.holder,
			lease_until: now + config.leaseMs,
		},
		config.maxEntries,
	);
}

/** A claimed entry as a delivery again: the same items and received_at, `replayed: true`. */
export function replayOf(entry: InboxEntry): {
	items: TriggerItem[];
	upload?: UploadedFile;
	deliveryId: string;
} {
	const items = entry.items.map((item) => ({ ...item, replayed: true }) as unknown as TriggerItem);
	const upload = entry.upload && {
		fileIndex: entry.upload.file_index,
		fileName: entry.upload.file_name,
		mimeType: entry.upload.mime_type,
		data: entry.upload.data,
	};
	return { items, deliveryId: entry.id, ...(upload && { upload }) };
}

export const INBOX_FULL_REASON =
	'the trigger keeps too many events whose executions have not ended (Max Undelivered Events): this one was not taken';
