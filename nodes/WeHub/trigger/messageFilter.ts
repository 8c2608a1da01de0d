import type { NormalisedMessage } from '../protocol/message';
import type { MessageFilter } from './options';

/** What the filter needs to know about the bot beyond the message itself. */
export interface BotIdentity {
	wxid: string;
	/** Display name, for clients that only write "@Name" into the text (no atUserList). */
	nickname?: string;
}

/** Whether a normalised message passes the trigger's message filters. Pure: tests call it directly. */
export function messagePassesFilter(
	message: NormalisedMessage,
	filter: MessageFilter,
	bot: BotIdentity,
): boolean {
	if (filter.ignoreOwnMessages && message.is_self) return false;
	if (filter.kinds.length > 0 && !filter.kinds.includes(message.kind)) return false;
	const inRoom = isRoomMessage(message);
	if (filter.chat === 'private' && inRoom) return false;
	if (filter.chat === 'room' && !inRoom) return false;
	if (inRoom && filter.rooms.length > 0 && !filter.rooms.includes(message.room_wxid as string)) {
		return false;
	}
	if (inRoom && filter.onlyWhenMentioned && !mentionsBot(message, bot)) return false;
	return true;
}

export function isRoomMessage(message: NormalisedMessage): boolean {
	return message.chat === 'room' && !!message.room_wxid;
}

/** By wxid when the client sent atUserList, else by the "@Name" the text carries. */
export function mentionsBot(message: NormalisedMessage, bot: BotIdentity): boolean {
	if (message.mentions_are_wxids) return message.mentions.includes(bot.wxid);
	if (!bot.nickname) return false;
	return message.mentions.includes(bot.nickname) || message.text.includes(`@${bot.nickname}`);
}

/** Where "reply in the same chat" goes: the room, or the other person of a private chat. */
export function replyTarget(message: NormalisedMessage): string {
	if (isRoomMessage(message)) return message.room_wxid as string;
	return (message.is_self ? message.to_wxid : message.from_wxid) ?? '';
}
