/**
 * Stand-in media for the files WeHub uploads on task 9: small buffers with the right magic bytes
 * (JPEG, MP4, MP3, PDF...) and the file names WeHub uses (a 40-hex name for images and videos).
 */
import type { Random } from './random';

export type MediaKind = 'image' | 'video' | 'voice' | 'file';

export interface MediaFile {
	bytes: Buffer;
	filename: string;
	contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
	jpg: 'image/jpeg',
	png: 'image/png',
	mp4: 'video/mp4',
	mp3: 'audio/mpeg',
	pdf: 'application/pdf',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	zip: 'application/zip',
	txt: 'text/plain',
};

export function contentTypeFor(filename: string): string {
	const ext = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
	return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

function header(kind: MediaKind, ext: string): Buffer {
	switch (kind) {
		case 'image':
			return Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
		case 'video':
			return Buffer.from('000000206674797069736f6d0000020069736f6d69736f32617663316d703431', 'hex');
		case 'voice':
			return Buffer.from('494433030000000000', 'hex');
		case 'file':
			return ext === 'pdf' ? Buffer.from('%PDF-1.4\n') : Buffer.alloc(0);
	}
}

const SIZES: Record<MediaKind, [number, number]> = {
	image: [2_000, 6_000],
	video: [20_000, 60_000],
	voice: [3_000, 8_000],
	file: [4_000, 12_000],
};

/** A media file of `kind`; `filename` is kept for files (their name is in the message XML). */
export function fakeMedia(kind: MediaKind, random: Random, filename?: string): MediaFile {
	const ext = { image: 'jpg', video: 'mp4', voice: 'mp3', file: 'pdf' }[kind];
	const name = filename ?? `${random.hex(40)}.${ext}`;
	const [min, max] = SIZES[kind];
	const head = header(kind, name.slice(name.lastIndexOf('.') + 1).toLowerCase());
	const tail = kind === 'image' ? Buffer.from('ffd9', 'hex') : Buffer.alloc(0);
	const body = random.bytes(random.int(min, max) - head.length - tail.length);
	return {
		bytes: Buffer.concat([head, body, tail]),
		filename: name,
		contentType: contentTypeFor(name),
	};
}
