import type { WeHubAction } from '../protocol/types';

/**
 * What the trigger emits. Every item carries one of these in `event`, so a single output feeds a
 * Switch node on `{{ $json.event }}` (see WeHubTrigger.node.ts for why there is one output).
 * `contact` and `room_member` are the split forms of `contacts` and `room_members`: the picker
 * selects the report, the split option decides the item shape.
 */
export type TriggerEvent =
	| 'contact'
	| 'contact_update'
	| 'contacts'
	| 'file_uploaded'
	| 'friend_removed'
	| 'friend_request'
	| 'login'
	| 'logout'
	| 'message'
	| 'new_friend'
	| 'new_room'
	| 'room_member'
	| 'room_member_change'
	| 'room_members'
	| 'room_removed'
	| 'task_result'
	| 'unknown_action'
	| 'user_info'
	| 'zombie_check';

/** Picker value meaning "every event". */
export const ALL_EVENTS = '*';

/** Choices of the "Trigger On" picker, sorted by name. */
export const EVENT_CHOICES: ReadonlyArray<{ name: string; value: string; description: string }> = [
	{ name: '*', value: ALL_EVENTS, description: 'Every event' },
	{
		name: 'Contact Update',
		value: 'contact_update',
		description: 'Friends or rooms changed (WeHub 0.2.6+)',
	},
	{
		name: 'Contacts Reported',
		value: 'contacts',
		description: 'The full friend, room and official account lists, sent after login',
	},
	{
		name: 'File Uploaded',
		value: 'file_uploaded',
		description: 'WeHub uploaded an image, voice, video or file to the upload URL',
	},
	{
		name: 'Friend Removed',
		value: 'friend_removed',
		description: 'A friend deleted the bot (WeHub 0.3.8+)',
	},
	{
		name: 'Friend Request',
		value: 'friend_request',
		description: 'Someone asks to become a friend',
	},
	{ name: 'Login', value: 'login', description: 'A WeChat account logged in through WeHub' },
	{ name: 'Logout', value: 'logout', description: 'A WeChat account logged out' },
	{
		name: 'Message',
		value: 'message',
		description: 'A private or room message, also the bot’s own',
	},
	{ name: 'New Friend', value: 'new_friend', description: 'A friend request was accepted' },
	{ name: 'New Room', value: 'new_room', description: 'The bot joined or created a room' },
	{
		name: 'Room Member Change',
		value: 'room_member_change',
		description: 'People joined or left a room',
	},
	{
		name: 'Room Members Reported',
		value: 'room_members',
		description: 'Member lists of rooms (after login or task 4)',
	},
	{
		name: 'Room Removed',
		value: 'room_removed',
		description: 'The bot left or was removed from a room (WeHub 0.4.26+)',
	},
	{
		name: 'Task Result',
		value: 'task_result',
		description: 'WeHub reported the outcome of a task it pulled',
	},
	{
		name: 'Unknown Action',
		value: 'unknown_action',
		description: 'A callback action this package does not know (newer WeHub clients)',
	},
	{
		name: 'User Info',
		value: 'user_info',
		description: 'Details of a user asked for with task 16',
	},
	{
		name: 'Zombie Check',
		value: 'zombie_check',
		description: 'Result of a zombie-friend check (task 15)',
	},
];

/** The picker value that selects the items of an action; null for pure bookkeeping (pull_task). */
export const EVENT_OF_ACTION: Record<WeHubAction, string | null> = {
	login: 'login',
	logout: 'logout',
	report_contact: 'contacts',
	report_contact_update: 'contact_update',
	report_new_friend: 'new_friend',
	report_friend_add_request: 'friend_request',
	report_friend_removed: 'friend_removed',
	report_new_msg: 'message',
	report_room_member_info: 'room_members',
	report_room_member_change: 'room_member_change',
	report_new_room: 'new_room',
	report_room_removed: 'room_removed',
	pull_task: null,
	report_task_result: 'task_result',
	report_zoom_check_status: 'zombie_check',
	report_user_info: 'user_info',
};

export function isEventSelected(selected: readonly string[], pickerValue: string): boolean {
	return selected.includes(ALL_EVENTS) || selected.includes(pickerValue);
}
