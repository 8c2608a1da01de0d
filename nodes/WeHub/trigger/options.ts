import { TRIGGER_DEFAULTS } from '../defaults';

/** What the user chose on the trigger, as plain data (the node reads it from its parameters). */

export type ChatScope = 'all' | 'private' | 'room';

export interface MessageFilter {
	/** `kind`s of normalised messages to emit; empty = every kind. */
	kinds: string[];
	chat: ChatScope;
	/** Only messages of these rooms (private messages are not affected); empty = every room. */
	rooms: string[];
	/** Only room messages that mention the bot (private messages always pass). */
	onlyWhenMentioned: boolean;
	/** Drop messages the bot sent itself: answering them loops and gets accounts banned. */
	ignoreOwnMessages: boolean;
}

export type ContactSplit = 'none' | 'contact';
export type RoomMemberSplit = 'none' | 'room' | 'member';

export interface TriggerOptions {
	/** Picker values from events.ts; `*` = all. */
	events: string[];
	messageFilter: MessageFilter;
	splitContacts: ContactSplit;
	splitRoomMembers: RoomMemberSplit;
	/** Queue a task 13 for every friend request (the daily cap applies when WeHub pulls it). */
	autoAcceptFriendRequests: boolean;
	/** Accept uploads whose file_index no message or task announced. */
	allowUnknownUploads: boolean;
	/**
	 * login_ack's `option.flag_report_contact`: which lists report_contact carries (1 friends,
	 * 2 rooms, 4 official accounts); undefined = not sent, WeHub reports every list.
	 */
	reportContactFlag?: number;
	maxUploadBytes: number;
}

export const DEFAULT_TRIGGER_OPTIONS: TriggerOptions = {
	events: TRIGGER_DEFAULTS.events,
	messageFilter: {
		kinds: [],
		chat: 'all',
		rooms: [],
		onlyWhenMentioned: false,
		ignoreOwnMessages: TRIGGER_DEFAULTS.ignoreOwnMessages,
	},
	splitContacts: 'none',
	splitRoomMembers: 'none',
	autoAcceptFriendRequests: false,
	allowUnknownUploads: false,
	maxUploadBytes: TRIGGER_DEFAULTS.maxUploadSizeMb * 1024 * 1024,
};
