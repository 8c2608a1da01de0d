import { isRoomWxid } from '../protocol/ids';
import type { ReadingNotes } from '../protocol/request';
import type {
	GroupInfo,
	MemberInfo,
	PublicAccountInfo,
	ReportContactData,
	ReportContactUpdateData,
	ReportRoomMemberInfoData,
	UserInfo,
} from '../protocol/types';
import type { TriggerEvent } from './events';
import type { ContactSplit, RoomMemberSplit } from './options';

/** What every emitted item starts with. */
export interface ItemBase {
	appid: string;
	bot_wxid: string;
	/** ISO time the callback arrived. */
	received_at: string;
}

export type TriggerItem = ItemBase & { event: TriggerEvent } & Record<string, unknown>;

export function item(event: TriggerEvent, base: ItemBase, fields: object): TriggerItem {
	return { event, ...base, ...fields };
}

/**
 * Puts what parsing noticed on an item: `skipped` (list entries left out, and why) and `flags`
 * (fields read although they deviate from the documented shape), each only when non-empty.
 */
export function withNotes<T extends TriggerItem>(target: T, notes: ReadingNotes): T {
	if (notes.skipped) (target as TriggerItem).skipped = notes.skipped;
	if (notes.flags) (target as TriggerItem).flags = notes.flags;
	return target;
}

/**
 * The notes of a report split into one item per entry go on the first item (one copy, not one
 * per contact); a report whose every entry was skipped still gives its summary item.
 */
function notedSplit(
	items: TriggerItem[],
	notes: ReadingNotes,
	summary: () => TriggerItem,
): TriggerItem[] {
	if (!notes.skipped && !notes.flags) return items;
	if (items.length === 0) return [withNotes(summary(), notes)];
	withNotes(items[0], notes);
	return items;
}

/**
 * report_contact: one summary item (the lists as received, not copied) or one item per friend,
 * room and official account. Reports can exceed 10 MB: items reference the parsed entries.
 */
export function contactItems(
	data: ReportContactData,
	base: ItemBase,
	split: ContactSplit,
	notes: ReadingNotes = {},
): TriggerItem[] {
	const friends = arrayOf<UserInfo>(data.friend_list);
	const rooms = arrayOf<GroupInfo>(data.group_list);
	const officialAccounts = arrayOf<PublicAccountInfo>(data.public_list);
	const summary = () =>
		item('contacts', base, {
			friend_count: friends.length,
			room_count: rooms.length,
			official_account_count: officialAccounts.length,
			friend_list: friends,
			group_list: rooms,
			public_list: officialAccounts,
		});
	if (split === 'none') return [withNotes(summary(), notes)];
	const items: TriggerItem[] = [];
	for (const friend of friends) items.push(contactItem('contact', base, 'friend', friend));
	for (const room of rooms) items.push(contactItem('contact', base, 'room', room));
	for (const account of officialAccounts) {
		items.push(contactItem('contact', base, 'official_account', account));
	}
	return notedSplit(items, notes, summary);
}

/** report_contact_update: friends and rooms mixed; a room wxid (isRoomWxid) is a room. */
export function contactUpdateItems(
	data: ReportContactUpdateData,
	base: ItemBase,
	split: ContactSplit,
	notes: ReadingNotes = {},
): TriggerItem[] {
	const updates = arrayOf<UserInfo | GroupInfo>(data.update_list);
	const summary = () =>
		item('contact_update', base, { update_count: updates.length, update_list: updates });
	if (split === 'none') return [withNotes(summary(), notes)];
	const items = updates.map((entry) =>
		contactItem('contact_update', base, isRoomWxid(entry.wxid) ? 'room' : 'friend', entry),
	);
	return notedSplit(items, notes, summary);
}

function contactItem(
	event: TriggerEvent,
	base: ItemBase,
	contactType: 'friend' | 'room' | 'official_account',
	entry: UserInfo | GroupInfo | PublicAccountInfo,
): TriggerItem {
	// item()'s keys, built without the intermediate copy: 40,000 of these per report_contact.
	const contact: TriggerItem = {
		event,
		appid: base.appid,
		bot_wxid: base.bot_wxid,
		received_at: base.received_at,
		contact_type: contactType,
	};
	return Object.assign(contact, entry);
}

/** report_room_member_info: one summary item, one item per room, or one per member. */
export function roomMemberItems(
	data: ReportRoomMemberInfoData,
	base: ItemBase,
	split: RoomMemberSplit,
	notes: ReadingNotes = {},
): TriggerItem[] {
	const rooms = arrayOf<ReportRoomMemberInfoData['room_data_list'][number]>(data.room_data_list);
	const summary = () => {
		let memberCount = 0;
		for (const room of rooms) memberCount += arrayOf(room.memberInfo_list).length;
		return item('room_members', base, {
			room_count: rooms.length,
			member_count: memberCount,
			room_data_list: rooms,
		});
	};
	if (split === 'none') return [withNotes(summary(), notes)];
	const items: TriggerItem[] = [];
	for (const room of rooms) {
		const members = arrayOf<MemberInfo>(room.memberInfo_list);
		if (split === 'room') {
			items.push(
				item('room_members', base, { ...room, member_count: room.member_count ?? members.length }),
			);
			continue;
		}
		for (const member of members) {
			items.push(
				item('room_member', base, {
					room_wxid: room.room_wxid,
					room_name: room.name,
					...member,
				}),
			);
		}
	}
	return notedSplit(items, notes, summary);
}

/** Reports are lenient about missing lists; anything that is not an array counts as empty. */
export function arrayOf<T>(value: unknown): T[] {
	return Array.isArray(value) ? (value as T[]) : [];
}
