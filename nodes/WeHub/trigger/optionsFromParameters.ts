import { contactListFlag } from '../protocol/tasks';
import { parseWxidList } from '../shared/settings';
import { TRIGGER_DEFAULTS } from '../defaults';
import {
	DEFAULT_TRIGGER_OPTIONS,
	type ChatScope,
	type ContactSplit,
	type RoomMemberSplit,
	type TriggerOptions,
} from './options';

/** Reads one node parameter (n8n's getNodeParameter, or a listener's own configuration). */
export type ParameterReader = (name: string, fallback: unknown) => unknown;

/** The trigger's parameters (names as in WeHubTrigger.node.ts) as plain TriggerOptions. */
export function optionsFromParameters(read: ParameterReader): TriggerOptions {
	const defaults = DEFAULT_TRIGGER_OPTIONS;
	const filters = record(read('messageFilters', {}));
	const options = record(read('triggerOptions', {}));
	const maxUploadMb = Number(options.maxUploadSizeMb ?? TRIGGER_DEFAULTS.maxUploadSizeMb);
	return {
		events: strings(read('events', defaults.events)),
		messageFilter: {
			kinds: strings(filters.kinds),
			chat: oneOf<ChatScope>(filters.chat, ['all', 'private', 'room'], 'all'),
			rooms: parseWxidList(typeof filters.rooms === 'string' ? filters.rooms : '') ?? [],
			onlyWhenMentioned: filters.onlyWhenMentioned === true,
			ignoreOwnMessages:
				read('ignoreOwnMessages', defaults.messageFilter.ignoreOwnMessages) !== false,
		},
		splitContacts: oneOf<ContactSplit>(options.splitContacts, ['none', 'contact'], 'none'),
		splitRoomMembers: oneOf<RoomMemberSplit>(
			options.splitRoomMembers,
			['none', 'room', 'member'],
			'none',
		),
		autoAcceptFriendRequests: options.autoAcceptFriendRequests === true,
		allowUnknownUploads: options.allowUnknownUploads === true,
		reportContactFlag: reportContactFlag(options.contactReportLists),
		maxUploadBytes:
			Number.isFinite(maxUploadMb) && maxUploadMb > 0
				? Math.round(maxUploadMb * 1024 * 1024)
				: defaults.maxUploadBytes,
	};
}

/** The Contact Report Lists option as WeHub's bitmask; nothing chosen = every list (not sent). */
function reportContactFlag(lists: unknown): number | undefined {
	const flag = contactListFlag(strings(lists));
	return flag === 0 ? undefined : flag;
}

function record(value: unknown): Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};
}

function strings(value: unknown): string[] {
	if (typeof value === 'string') return value === '' ? [] : [value];
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
	return allowed.includes(value as T) ? (value as T) : fallback;
}
