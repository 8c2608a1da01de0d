import { parseRawXml } from '../protocol/rawXml';
import { MAX_KEY_FIELD_BYTES } from '../protocol/request';
import type { ReportFriendAddRequestData } from '../protocol/types';
import type { FriendRequestRecord } from '../store/TaskStore';

/** A friend request with the requester's details read from raw_msg's `<msg ...>` attributes. */
export interface FriendRequest {
	requester_wxid: string;
	v1: string;
	v2: string;
	notice_word: string;
	nickname?: string;
	wx_alias?: string;
	sex?: number;
	country?: string;
	province?: string;
	city?: string;
	signature?: string;
	head_img?: string;
	/** WeChat's scene number: how the requester found the bot (search, QR code, room...). */
	scene?: number;
	raw_msg?: string;
}

export function readFriendRequest(data: ReportFriendAddRequestData): FriendRequest {
	const details = requesterDetails(data.raw_msg);
	const text = (name: string) => {
		const value = details[name];
		return typeof value === 'string' && value !== '' ? value : undefined;
	};
	const number = (name: string) => {
		const value = Number(text(name));
		return Number.isFinite(value) ? value : undefined;
	};
	return {
		// Strangers are only known by their encrypted username (v1) until they become friends.
		requester_wxid: keyPart(text('fromusername')) ?? keyPart(text('encryptusername')) ?? data.v1,
		v1: data.v1,
		v2: data.v2,
		notice_word: data.notice_word ?? text('content') ?? '',
		nickname: text('fromnickname'),
		wx_alias: text('alias'),
		sex: number('sex'),
		country: text('country'),
		province: text('province'),
		city: text('city'),
		signature: text('sign'),
		head_img: text('bigheadimgurl') ?? text('smallheadimgurl'),
		scene: number('scene'),
		raw_msg: data.raw_msg,
	};
}

export function friendRequestRecord(
	appid: string,
	botWxid: string,
	request: FriendRequest,
	receivedAt: number,
): FriendRequestRecord {
	return {
		appid,
		bot_wxid: botWxid,
		requester_wxid: request.requester_wxid,
		v1: request.v1,
		v2: request.v2,
		notice_word: request.notice_word,
		nickname: request.nickname,
		received_at: receivedAt,
	};
}

/** The requester's id is a store key: an implausibly long one from raw_msg is ignored. */
function keyPart(id: string | undefined): string | undefined {
	return id !== undefined && Buffer.byteLength(id) <= MAX_KEY_FIELD_BYTES ? id : undefined;
}

function requesterDetails(rawMsg: string | undefined): Record<string, unknown> {
	if (typeof rawMsg !== 'string' || rawMsg === '') return {};
	const parsed = parseRawXml(rawMsg);
	return parsed.ok ? parsed.xml : {};
}
