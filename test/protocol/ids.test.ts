import { isRoomWxid, isWeComWxid } from '../../nodes/WeHub/protocol/ids';

describe('one rule for "is this a room"', () => {
	it.each([
		['17950482733@chatroom', true],
		['10696052644@im.chatroom', true],
		['wxid_k2m9x7lq4a12', false],
		['fangqing_hust', false],
		['wmJg8aCgAAbyqTYk4Y2Gfl@openim', false],
		['gh_3dfda90e39d6', false],
		['@chatroom', false],
		['@im.chatroom', false],
		['', false],
	])('%s is a room: %s', (wxid, room) => {
		expect(isRoomWxid(wxid)).toBe(room);
	});

	it('knows WeCom ids by their suffixes', () => {
		expect(isWeComWxid('10696052644@im.chatroom')).toBe(true);
		expect(isWeComWxid('wmJg8aCgAAbyqTYk4Y2Gfl@openim')).toBe(true);
		expect(isWeComWxid('17950482733@chatroom')).toBe(false);
		expect(isWeComWxid('wxid_k2m9x7lq4a12')).toBe(false);
	});
});
