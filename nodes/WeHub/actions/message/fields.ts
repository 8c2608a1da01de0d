import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { QUEUE_DEFAULTS } from '../../defaults';
import { MAX_MEDIA_BYTES } from '../shared/media';

/** The kinds of message unit the node can send, by the value of a unit's "Type". */
export type UnitType =
	'card' | 'file' | 'gif' | 'image' | 'link' | 'miniProgram' | 'text' | 'video';

/** Unit types whose content is a downloadable file: given as a URL or as binary data. */
export const MEDIA_UNIT_TYPES: UnitType[] = ['file', 'gif', 'image', 'video'];

const when = (...types: UnitType[]): IDisplayOptions => ({ show: { type: types } });

/** The fields of one unit in the "Messages" list; `displayOptions` refer to the unit's Type. */
export const unitFields: INodeProperties[] = [
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'Contact Card', value: 'card', description: 'Share a contact by wxid' },
			{
				name: 'File',
				value: 'file',
				description: 'Any file; WeHub 0.2 and later send it through the video unit',
			},
			{ name: 'GIF', value: 'gif', description: 'An animated GIF (WeHub 0.2 and later)' },
			{ name: 'Image', value: 'image', description: 'A JPG or PNG image' },
			{
				name: 'Link Card',
				value: 'link',
				description: 'A link with title, description and thumbnail',
			},
			{
				name: 'Mini Program',
				value: 'miniProgram',
				description: 'Forward a received mini program (WeHub 0.2 and later)',
			},
			{ name: 'Text', value: 'text' },
			{ name: 'Video', value: 'video', description: 'An MP4 video' },
		],
		default: 'text',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. Hello [微笑]',
		description:
			'The message; WeChat emoji as [微笑]-style text. With mention placeholders, each {$@} is replaced by the next mention.',
		displayOptions: when('text'),
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options: [
			{
				name: 'Binary Data',
				value: 'binary',
				description: `A binary property of the input item (at most ${MAX_MEDIA_BYTES / 1024 / 1024} MB), served to WeHub by the WeHub Trigger`,
			},
			{ name: 'URL', value: 'url', description: 'A public URL WeHub downloads' },
		],
		default: 'url',
		displayOptions: when(...MEDIA_UNIT_TYPES),
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/photo.jpg',
		description:
			'Where WeHub downloads the content. Videos must be MP4; later WeHub clients send any other URL as a file.',
		displayOptions: { show: { type: MEDIA_UNIT_TYPES, source: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		placeholder: 'e.g. data',
		hint: 'The name of the input binary field containing the file to be sent',
		displayOptions: { show: { type: MEDIA_UNIT_TYPES, source: ['binary'] } },
	},
	{
		displayName: 'Link URL',
		name: 'linkUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/article',
		displayOptions: when('link'),
	},
	{
		displayName: 'Title',
		name: 'linkTitle',
		type: 'string',
		default: '',
		placeholder: 'e.g. Release notes',
		displayOptions: when('link'),
	},
	{
		displayName: 'Description',
		name: 'linkDescription',
		type: 'string',
		default: '',
		placeholder: 'e.g. What changed this week',
		displayOptions: when('link'),
	},
	{
		displayName: 'Thumbnail URL',
		name: 'linkImageUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/thumb.png',
		displayOptions: when('link'),
	},
	{
		displayName: 'Contact WeChat ID',
		name: 'cardWxid',
		type: 'string',
		default: '',
		placeholder: 'e.g. wxid_abc123',
		description: 'The person or official account whose card is shared',
		displayOptions: when('card'),
	},
	{
		displayName: 'Mini Program Raw Message',
		name: 'rawMsg',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.raw?.raw_msg }}',
		description:
			'The raw_msg of a received mini program message, unchanged (raw.raw_msg on a WeHub Trigger item)',
		displayOptions: when('miniProgram'),
	},
	{
		displayName: 'Cover URL',
		name: 'coverUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/cover.jpg',
		description: 'An image shown as the mini program’s cover; empty keeps the original',
		displayOptions: when('miniProgram'),
	},
];

/** Options only a send has, added to the queue options. */
export function sendOptions(): INodeProperties[] {
	return [
		{
			displayName: 'Media Base URL',
			name: 'mediaBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://n8n.example.com/webhook/wehub/media',
			description:
				'Public URL under which the WeHub Trigger serves stored binary data; empty uses the URL the trigger recorded when it was activated',
		},
		{
			displayName: 'Media Expire After (Minutes)',
			name: 'mediaTtlMinutes',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: QUEUE_DEFAULTS.mediaTtlMinutes,
			description: 'How long binary data stays downloadable for WeHub',
		},
		{
			displayName: 'Mention Placeholders',
			name: 'mentionPlaceholders',
			type: 'boolean',
			default: false,
			description:
				'Whether to put each mention where {$@} appears in the text instead of before the text (WeHub 0.4.2 and later)',
		},
	];
}
