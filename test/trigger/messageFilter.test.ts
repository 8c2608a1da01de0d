import { normaliseMessage } from '../../nodes/WeHub/protocol/message';
import type { ReportMsgUnit } from '../../nodes/WeHub/protocol/types';
import { messagePassesFilter, replyTarget } from '../../nodes/WeHub/trigger/messageFilter';
import { DEFAULT_TRIGGER_OPTIONS, type MessageFilter } from '../../nodes/WeHub/trigger/options';
import { ALICE_WXID, BOT_WXID, readFixture, ROOM_WXID } from '../protocol/fixtures';

const bot = { wxid: BOT_WXID, nickname: '小助手' };

function message(fixture: string) {
	const unit = JSON.parse(readFixture('requests', fixture).toString()).data.msg as ReportMsgUnit;
	return normaliseMessage(unit, BOT_WXID);
}

const privateText = message('report_new_msg.text.private.json');
const roomMention = message('report_new_msg.text.room.mentions.json');
const roomImage = message('report_new_msg.image.room.json');
const ownText = message('report_new_msg.text.self.json');
const legacyRoomText = message('report_new_msg.text.room.legacy_0.1.3.json');

function filter(overrides: Partial<MessageFilter>): MessageFilter {
	return { ...DEFAULT_TRIGGER_OPTIONS.messageFilter, ...overrides };
}

describe('messagePassesFilter', () => {
	it.each([
		['the default filter', {}, [privateText, roomMention, roomImage, legacyRoomText], [ownText]],
		['own messages kept', { ignoreOwnMessages: false }, [ownText, privateText], []],
		['kinds: text', { kinds: ['text'] }, [privateText, roomMention], [roomImage]],
		['kinds: image', { kinds: ['image'] }, [roomImage], [privateText, roomMention]],
		['private chats only', { chat: 'private' as const }, [privateText], [roomMention, roomImage]],
		['rooms only', { chat: 'room' as const }, [roomMention, roomImage], [privateText]],
		['rooms allow-list (other room)', { rooms: ['111@chatroom'] }, [privateText], [roomMention]],
		['rooms allow-list (this room)', { rooms: [ROOM_WXID] }, [roomMention, privateText], []],
		['only when mentioned', { onlyWhenMentioned: true }, [roomMention, privateText], [roomImage]],
	])('%s', (_name, overrides, passing, dropped) => {
		for (const m of passing) expect(messagePassesFilter(m, filter(overrides), bot)).toBe(true);
		for (const m of dropped) expect(messagePassesFilter(m, filter(overrides), bot)).toBe(false);
	});

	it('recognises a mention by the bot’s nickname when the client sends no atUserList', () => {
		const unit = {
			msg_type: 1,
			room_wxid: ROOM_WXID,
			wxid_from: ALICE_WXID,
			wxid_to: ROOM_WXID,
			msg: '@小助手\u2005查一下订单',
		} as ReportMsgUnit;
		const mention = normaliseMessage(unit, BOT_WXID);
		expect(messagePassesFilter(mention, filter({ onlyWhenMentioned: true }), bot)).toBe(true);
		expect(
			messagePassesFilter(mention, filter({ onlyWhenMentioned: true }), { wxid: BOT_WXID }),
		).toBe(false);
	});
});

describe('replyTarget', () => {
	it('is the room for room messages', () => expect(replyTarget(roomMention)).toBe(ROOM_WXID));
	it('is the sender for private messages', () =>
		expect(replyTarget(privateText)).toBe(privateText.from_wxid));
	it('is the peer for the bot’s own private messages', () =>
		expect(replyTarget(ownText)).toBe(
			ownText.chat === 'room' ? ownText.room_wxid : ownText.to_wxid,
		));
});
