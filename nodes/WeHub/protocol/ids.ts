/**
 * What a WeChat id names. Rooms are `<digits>@chatroom`; WeCom (企业微信) rooms, reported from
 * WeHub 0.4.26, are `<id>@im.chatroom`, which does not end in `@chatroom`, so a suffix test on
 * `@chatroom` alone takes them for people. Every "is this a room" question asks this module.
 */
const ROOM_SUFFIXES = ['@chatroom', '@im.chatroom'] as const;

/** WeCom people are `<id>@openim`. */
const WECOM_PERSON_SUFFIX = '@openim';

/** Whether `wxid` is a room (group chat), WeChat's or WeCom's. */
export function isRoomWxid(wxid: unknown): wxid is string {
	return (
		typeof wxid === 'string' &&
		ROOM_SUFFIXES.some((suffix) => wxid.endsWith(suffix) && wxid.length > suffix.length)
	);
}

/** Whether `wxid` is a WeCom room or person (tags cannot be set on those). */
export function isWeComWxid(wxid: unknown): boolean {
	return (
		typeof wxid === 'string' &&
		(wxid.endsWith('@im.chatroom') || wxid.endsWith(WECOM_PERSON_SUFFIX))
	);
}
