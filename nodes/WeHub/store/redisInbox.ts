import type { InboxEntry } from './TaskStore';

/**
 * An inbox hash (field/value pairs as Buffers, plus `id`) as an InboxEntry. Read as Buffers so
 * an upload's bytes come back unchanged; `withBytes` false leaves them out (listing).
 */
export function inboxFromPairs(appid: string, pairs: Buffer[], withBytes: boolean): InboxEntry {
	const fields = new Map<string, Buffer>();
	for (let i = 0; i + 1 < pairs.length; i += 2) fields.set(pairs[i].toString(), pairs[i + 1]);
	const text = (field: string) => fields.get(field)?.toString('utf8') ?? '';
	const entry: InboxEntry = {
		id: text('id'),
		appid,
		owner: text('owner'),
		bot_wxid: text('bot_wxid'),
		items: JSON.parse(text('items') || '[]') as InboxEntry['items'],
		received_at: Number(text('received_at')),
		holder: text('holder'),
		lease_until: Number(text('lease_until')),
		attempts: Number(text('attempts')),
	};
	const upload = text('upload');
	if (upload) {
		const meta = JSON.parse(upload) as Omit<NonNullable<InboxEntry['upload']>, 'data'>;
		const data = withBytes
			? Buffer.from(fields.get('upload_data') ?? Buffer.alloc(0))
			: Buffer.alloc(0);
		entry.upload = { ...meta, data };
	}
	return entry;
}
