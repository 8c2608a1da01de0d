import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import {
	cardUnit,
	ClientTooOldError,
	fileUnit,
	gifUnit,
	imageUnit,
	linkUnit,
	miniProgramUnit,
	requireClientFeature,
	TaskValidationError,
	type ClientFeature,
	textUnit,
	videoUnit,
} from '../../protocol/tasks';
import type { PushMsgUnit } from '../../protocol/types';
import type { MediaRecord, TaskStore } from '../../store/TaskStore';
import { prepareBinaryMedia } from '../shared/media';
import type { UnitType } from './fields';

/** One entry of the "Messages" fixed collection, as n8n hands it over. */
export interface UnitParameters {
	type?: UnitType;
	text?: string;
	source?: 'url' | 'binary';
	url?: string;
	binaryPropertyName?: string;
	linkUrl?: string;
	linkTitle?: string;
	linkDescription?: string;
	linkImageUrl?: string;
	cardWxid?: string;
	rawMsg?: string;
	coverUrl?: string;
}

export interface UnitContext {
	store: Pick<TaskStore, 'getSetting'>;
	appid: string;
	clientVersion?: string;
	mediaBaseUrl?: string;
	mediaTtlMinutes: number;
	availableFrom: number;
}

/** Units the 0.1.5 document marks "not sendable": checked before any binary data is read. */
const UNIT_FEATURES: Partial<Record<UnitType, ClientFeature>> = {
	file: 'fileUnit',
	gif: 'gifUnit',
	miniProgram: 'miniProgramUnit',
};

/** Content checks for binary data, per unit type. */
const ACCEPTS: Partial<Record<UnitType, (mimeType: string) => string | undefined>> = {
	image: (mime) =>
		/^image\/(jpeg|jpg|png)$/i.test(mime)
			? undefined
			: `is ${mime}; WeChat images must be JPG or PNG (send GIFs as GIF, anything else as File)`,
	video: (mime) =>
		/^video\/mp4$/i.test(mime)
			? undefined
			: `is ${mime}; videos must be MP4 (send other files as File)`,
	gif: (mime) => (/^image\/gif$/i.test(mime) ? undefined : `is ${mime}, not a GIF`),
};

/** Wire field of a push unit -> the unit parameter a user fixes. */
const UNIT_FIELD_LABELS: Record<string, string> = {
	cover_url: 'Cover URL',
	link_desc: 'Description',
	link_img_url: 'Thumbnail URL',
	link_title: 'Title',
	link_url: 'Link URL',
	raw_msg: 'Mini Program Raw Message',
	video_url: 'URL',
	wxid_card: 'Contact WeChat ID',
};

/** Push units, and the binary data they send as URLs: to be stored when the task is queued. */
export interface BuiltUnits {
	units: PushMsgUnit[];
	media: MediaRecord[];
}

/** Turns the "Messages" parameter into push units; binary data get their URLs, unstored. */
export async function buildUnits(
	this: IExecuteFunctions,
	itemIndex: number,
	entries: UnitParameters[],
	context: UnitContext,
): Promise<BuiltUnits> {
	if (entries.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Messages: add at least one message', {
			itemIndex,
			description: 'Click "Add Message" under Messages',
		});
	}
	const units: PushMsgUnit[] = [];
	const building: BuildingUnit = { ...context, media: [] };
	for (const [index, entry] of entries.entries()) {
		const label = `Messages › Message ${index + 1}`;
		const type = entry.type ?? 'text';
		try {
			const feature = UNIT_FEATURES[type];
			if (feature) requireClientFeature(feature, 'msg_type', context);
			units.push(await buildUnit.call(this, itemIndex, type, entry, label, building));
		} catch (error) {
			if (!(error instanceof TaskValidationError)) {
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
			if (error instanceof ClientTooOldError) {
				throw new NodeOperationError(this.getNode(), `${label}: ${error.message}`, {
					itemIndex,
					description: 'Update the bot’s WeHub client to 0.2 or later, or send another type',
				});
			}
			const field =
				UNIT_FIELD_LABELS[error.field] ??
				(error.field === 'msg' && type === 'text' ? 'Text' : 'URL');
			throw new NodeOperationError(this.getNode(), `${label} › ${field}: ${error.message}`, {
				itemIndex,
				description: `Fix "${field}" of message ${index + 1}`,
			});
		}
	}
	return { units, media: building.media };
}

/** A unit's context, collecting the binary data of all units. */
interface BuildingUnit extends UnitContext {
	media: MediaRecord[];
}

async function buildUnit(
	this: IExecuteFunctions,
	itemIndex: number,
	type: UnitType,
	entry: UnitParameters,
	label: string,
	context: BuildingUnit,
): Promise<PushMsgUnit> {
	switch (type) {
		case 'text':
			return textUnit(entry.text ?? '');
		case 'image':
			return imageUnit(await mediaUrl.call(this, itemIndex, type, entry, label, context));
		case 'gif':
			return gifUnit(await mediaUrl.call(this, itemIndex, type, entry, label, context));
		case 'video':
			return videoUnit(await mediaUrl.call(this, itemIndex, type, entry, label, context));
		case 'file':
			return fileUnit(await mediaUrl.call(this, itemIndex, type, entry, label, context), context);
		case 'link':
			return linkUnit(
				entry.linkUrl ?? '',
				entry.linkTitle ?? '',
				entry.linkDescription ?? '',
				entry.linkImageUrl ?? '',
			);
		case 'card':
			return cardUnit(entry.cardWxid ?? '');
		case 'miniProgram':
			return miniProgramUnit(entry.rawMsg ?? '', entry.coverUrl);
		default: {
			const unknown: never = type;
			throw new NodeOperationError(this.getNode(), `${label}: unknown type "${String(unknown)}"`, {
				itemIndex,
			});
		}
	}
}

async function mediaUrl(
	this: IExecuteFunctions,
	itemIndex: number,
	type: UnitType,
	entry: UnitParameters,
	label: string,
	context: BuildingUnit,
): Promise<string> {
	if (entry.source !== 'binary') return entry.url ?? '';
	const accept = ACCEPTS[type];
	const { url, record } = await prepareBinaryMedia.call(this, context.store, {
		appid: context.appid,
		itemIndex,
		binaryPropertyName: (entry.binaryPropertyName ?? 'data').trim() || 'data',
		fieldLabel: `${label} › Input Binary Field`,
		accept: accept && ((mimeType) => accept(mimeType)),
		baseUrlOverride: context.mediaBaseUrl,
		availableFrom: context.availableFrom,
		ttlMinutes: context.mediaTtlMinutes,
		keepExtension: type === 'file' ? (extension) => extension !== 'mp4' : undefined,
	});
	context.media.push(record);
	return url;
}
