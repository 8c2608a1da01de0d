import { isRoomWxid, isWeComWxid } from './ids';
import { parseRawXml, splitSender, xmlNumber, xmlPath, xmlText, type RawXmlResult } from './rawXml';
import { classifySystemNotice, type SystemNotice } from './systemNotice';
import { MSG_TYPE, type ReportMsgUnit } from './types';

/**
 * One flat, spreadsheet-friendly object per reported message unit. Cheap by design: the raw unit
 * is referenced, not copied, and raw_msg is parsed once.
 */

export type MessageKind =
	| 'text'
	| 'image'
	| 'voice'
	| 'card'
	| 'video'
	| 'emoji'
	| 'link'
	| 'mini_program'
	| 'transfer'
	| 'file'
	| 'system'
	| 'unknown';

const KIND_BY_MSG_TYPE: ReadonlyMap<number, MessageKind> = new Map(
	Object.entries(MSG_TYPE).map(([kind, type]) => [type, kind as MessageKind]),
);

export interface CardDetails {
	wxid: string | null;
	nickname: string | null;
	alias: string | null;
	/** 0 unknown, 1 male, 2 female. */
	sex: number | null;
	province: string | null;
	city: string | null;
	/** From the id: `gh_...` official accounts, `...@stranger` people we cannot see yet. */
	contact_type: 'person' | 'official_account' | 'stranger' | null;
}

/** What the `<img>` of an image's raw_msg carries (later clients; null without raw_msg). */
export interface ImageDetails {
	/** Bytes of the image WeHub uploads (`length`). */
	size: number | null;
	/** Bytes of the full-resolution original, when WeChat has one (`hdlength`). */
	hd_size: number | null;
	md5: string | null;
}

export interface VoiceDetails {
	duration_ms: number | null;
	bytes: number | null;
}

export interface VideoDetails {
	seconds: number | null;
	bytes: number | null;
}

export interface EmojiDetails {
	url: string | null;
	md5: string | null;
	size: number | null;
}

export interface LinkDetails {
	title: string | null;
	desc: string | null;
	url: string | null;
	thumb: string | null;
	sub_type: number | null;
	/** sub_type 5 or an `addchatroombyinvite` URL: accept with task 19 (accept room invitation). */
	is_room_invitation: boolean;
}

export interface MiniProgramDetails {
	title: string | null;
	appid: string | null;
	username: string | null;
	page_path: string | null;
	source: string | null;
}

export interface TransferDetails {
	/** As WeChat shows it, e.g. "￥0.10". */
	amount: string | null;
	transfer_id: string | null;
	transaction_id: string | null;
	paysubtype: 'sent' | 'received' | null;
	memo: string | null;
	/** Someone else sent it to the bot and it awaits acceptance: task 11 can accept it. */
	acceptable_by_bot: boolean;
}

export interface FileDetails {
	name: string | null;
	extension: string | null;
	size: number | null;
	md5: string | null;
}

/** The classification fields of systemNotice.ts, with `classification` naming the type. */
export type SystemDetails = { classification: SystemNotice['type'] } & Omit<
	DistributiveOmit<SystemNotice, 'type' | 'text'>,
	never
>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface MessageDetailsMap {
	text: Record<string, never>;
	image: ImageDetails;
	voice: VoiceDetails;
	card: CardDetails;
	video: VideoDetails;
	emoji: EmojiDetails;
	link: LinkDetails;
	mini_program: MiniProgramDetails;
	transfer: TransferDetails;
	file: FileDetails;
	system: SystemDetails;
	unknown: Record<string, never>;
}

export interface NormalisedMessageBase {
	msg_type: number;
	/** 'room' for WeChat rooms (`@chatroom`) and WeCom rooms (`@im.chatroom`) alike. */
	chat: 'private' | 'room';
	room_wxid: string | null;
	from_wxid: string;
	to_wxid: string;
	/** Sent by the bot itself (from any device): never answer these with a send task. */
	is_self: boolean;
	/** The room or a person of the message is a WeCom (企业微信) contact: tags cannot be set on them. */
	wecom: boolean;
	/** The text of a text message; for other kinds a short English summary like "[Image]". */
	text: string;
	/** wxids from atUserList when the client sends it, else "@Name" names parsed from the text. */
	mentions: string[];
	mentions_are_wxids: boolean;
	file_index: string | null;
	msg_id: string | null;
	/** Epoch milliseconds (msg_timestamp), or null. */
	timestamp: number | null;
	/**
	 * The parsed raw_msg, root element included (`xml.msg.appmsg.title`, `xml.sysmsg.revokemsg`),
	 * or null (plain-text system notices, broken or refused XML).
	 */
	xml: Record<string, unknown> | null;
	/** The unit exactly as received. */
	raw: ReportMsgUnit;
}

export type NormalisedMessage = {
	[K in MessageKind]: NormalisedMessageBase & { kind: K; details: MessageDetailsMap[K] };
}[MessageKind];

/**
 * Where the units of a report_new_msg `data` are: `msg` (one unit, or a list from lenient
 * clients), else `msg_list`, else `data` itself. The entries are the parsed values, not copies.
 */
export function messageUnitList(
	data: unknown,
): { field: 'msg' | 'msg_list' | 'data'; entries: unknown[] } | undefined {
	if (!isRecord(data)) return undefined;
	if (isRecord(data.msg)) return { field: 'msg', entries: [data.msg] };
	if (Array.isArray(data.msg_list)) return { field: 'msg_list', entries: data.msg_list };
	if (Array.isArray(data.msg)) return { field: 'msg', entries: data.msg };
	if ('msg_type' in data) return { field: 'data', entries: [data] };
	return undefined;
}

export function messageKind(msgType: number): MessageKind {
	return KIND_BY_MSG_TYPE.get(msgType) ?? 'unknown';
}

export function normaliseMessage(unit: ReportMsgUnit, botWxid: string): NormalisedMessage {
	const kind = messageKind(unit.msg_type);
	const rawMsg = str(unit.raw_msg);
	// System notices are plain text or `<sysmsg>` XML; everything else with a raw_msg is XML.
	const parsed =
		rawMsg && (kind !== 'system' || looksLikeXml(rawMsg)) ? parseRawXml(rawMsg) : undefined;
	const xml = parsed?.ok ? { [parsed.root]: parsed.xml } : null;
	const fromWxid = str(unit.wxid_from) || str(unit.wxid) || parsed?.sender || '';
	const toWxid = str(unit.wxid_to);
	const roomWxid = str(unit.room_wxid) || roomOf(toWxid) || roomOf(fromWxid);
	const isSelf = fromWxid !== '' && fromWxid === botWxid;

	let text: string;
	let mentions: string[] = [];
	let mentionsAreWxids = false;
	let details: MessageDetailsMap[MessageKind];
	if (kind === 'text') {
		const fields = unit as unknown as Record<string, unknown>;
		text = str(fields.msg);
		const atList = Array.isArray(fields.atUserList)
			? fields.atUserList.filter((wxid): wxid is string => typeof wxid === 'string' && wxid !== '')
			: undefined;
		mentionsAreWxids = Boolean(atList?.length);
		mentions = atList?.length ? atList : mentionedNames(text);
		details = {};
	} else {
		const described = summaryAndDetails(kind, unit, xml, rawMsg, parsed, {
			isSelf,
			toWxid,
			botWxid,
		});
		text = described.text;
		details = described.details;
	}

	// One literal with every key: spreading an object and then adding keys costs ~100× more in
	// V8 (a new hidden class per call), and this runs for every message.
	return {
		msg_type: unit.msg_type,
		chat: roomWxid ? 'room' : 'private',
		room_wxid: roomWxid || null,
		from_wxid: fromWxid,
		to_wxid: toWxid,
		is_self: isSelf,
		wecom: isWeComWxid(roomWxid) || isWeComWxid(fromWxid) || isWeComWxid(toWxid),
		file_index: str(unit.file_index) || null,
		msg_id: unit.msg_id === undefined || unit.msg_id === null ? null : String(unit.msg_id),
		timestamp: timestampMs(unit.msg_timestamp),
		xml,
		raw: unit,
		kind,
		text,
		mentions,
		mentions_are_wxids: mentionsAreWxids,
		details,
	} as NormalisedMessage;
}

interface Parties {
	isSelf: boolean;
	toWxid: string;
	botWxid: string;
}

/** The summary text and the details of every kind but text. */
function summaryAndDetails(
	kind: Exclude<MessageKind, 'text'>,
	unit: ReportMsgUnit,
	xml: Record<string, unknown> | null,
	rawMsg: string,
	parsed: RawXmlResult | undefined,
	{ isSelf, toWxid, botWxid }: Parties,
): { text: string; details: MessageDetailsMap[MessageKind] } {
	const u = unit as unknown as Record<string, unknown>;
	switch (kind) {
		case 'image': {
			const img = xmlPath(xml, 'msg', 'img');
			const details: ImageDetails = {
				size: xmlNumber(img, 'length') ?? null,
				hd_size: xmlNumber(img, 'hdlength') ?? null,
				md5: xmlText(img, 'md5') || null,
			};
			return { text: '[Image]', details };
		}
		case 'voice': {
			const voice = xmlPath(xml, 'msg', 'voicemsg');
			const details: VoiceDetails = {
				duration_ms: xmlNumber(voice, 'voicelength') ?? null,
				bytes: xmlNumber(voice, 'length') ?? null,
			};
			const seconds =
				details.duration_ms === null ? '' : ` ${Math.round(details.duration_ms / 1000)}s`;
			return { text: `[Voice${seconds}]`, details };
		}
		case 'card': {
			const card = xmlPath(xml, 'msg');
			const wxid = xmlText(card, 'username') || null;
			const sex = xmlNumber(card, 'sex');
			const details: CardDetails = {
				wxid,
				nickname: xmlText(card, 'nickname') || null,
				alias: xmlText(card, 'alias') || null,
				sex: sex ?? null,
				province: xmlText(card, 'province') || null,
				city: xmlText(card, 'city') || null,
				contact_type: contactType(wxid),
			};
			return { text: summary('Card', details.nickname ?? wxid), details };
		}
		case 'video': {
			const video = xmlPath(xml, 'msg', 'videomsg');
			const details: VideoDetails = {
				seconds: xmlNumber(video, 'playlength') ?? null,
				bytes: xmlNumber(video, 'length') ?? null,
			};
			const seconds = details.seconds === null ? '' : ` ${details.seconds}s`;
			return { text: `[Video${seconds}]`, details };
		}
		case 'emoji': {
			const emoji = xmlPath(xml, 'msg', 'emoji');
			const details: EmojiDetails = {
				url: str(u.emoji_url) || xmlText(emoji, 'cdnurl') || null,
				md5: xmlText(emoji, 'md5') || null,
				size: xmlNumber(emoji, 'len') ?? null,
			};
			return { text: '[Emoji]', details };
		}
		case 'link': {
			const appmsg = xmlPath(xml, 'msg', 'appmsg');
			const url = str(u.link_url) || xmlText(appmsg, 'url') || null;
			const subType = num(u.sub_type) ?? xmlNumber(appmsg, 'type') ?? null;
			const details: LinkDetails = {
				title: str(u.link_title) || xmlText(appmsg, 'title') || null,
				desc: str(u.link_desc) || xmlText(appmsg, 'des') || null,
				url,
				thumb: str(u.link_img_url) || xmlText(appmsg, 'thumburl') || null,
				sub_type: subType,
				is_room_invitation: subType === 5 && /addchatroombyinvite/i.test(url ?? ''),
			};
			return { text: summary('Link', details.title), details };
		}
		case 'mini_program': {
			const appmsg = xmlPath(xml, 'msg', 'appmsg');
			const weapp = xmlPath(appmsg, 'weappinfo');
			const details: MiniProgramDetails = {
				title: xmlText(appmsg, 'title') || null,
				appid: xmlText(weapp, 'appid') || null,
				username: xmlText(weapp, 'username') || null,
				page_path: xmlText(weapp, 'pagepath') || null,
				source: xmlText(appmsg, 'sourcedisplayname') || null,
			};
			return { text: summary('Mini program', details.title), details };
		}
		case 'transfer': {
			const pay = xmlPath(xml, 'msg', 'appmsg', 'wcpayinfo');
			const subtype = num(u.paysubtype) ?? xmlNumber(pay, 'paysubtype');
			const details: TransferDetails = {
				amount: xmlText(pay, 'feedesc') || null,
				transfer_id: str(u.transferid) || xmlText(pay, 'transferid') || null,
				transaction_id: xmlText(pay, 'transcationid') || null,
				paysubtype: subtype === 1 ? 'sent' : subtype === 3 ? 'received' : null,
				memo: xmlText(pay, 'pay_memo') || null,
				acceptable_by_bot: subtype === 1 && !isSelf && toWxid !== '' && toWxid === botWxid,
			};
			return { text: summary('Transfer', details.amount), details };
		}
		case 'file': {
			const appmsg = xmlPath(xml, 'msg', 'appmsg');
			const details: FileDetails = {
				name: xmlText(appmsg, 'title') || null,
				extension: xmlText(appmsg, 'appattach', 'fileext') || null,
				size: xmlNumber(appmsg, 'appattach', 'totallen') ?? null,
				md5: xmlText(appmsg, 'md5') || xmlText(xml, 'msg', 'md5') || null,
			};
			return { text: summary('File', details.name), details };
		}
		case 'system': {
			const notice = classifySystemNotice(rawMsg || str(u.msg), parsed);
			// The notice's fields after its type, copied key by key (no rest/spread: see above).
			const details: Record<string, unknown> = { classification: notice.type };
			for (const [key, value] of Object.entries(notice)) {
				if (key !== 'type' && key !== 'text') details[key] = value;
			}
			return { text: notice.text, details: details as SystemDetails };
		}
		case 'unknown':
			return { text: `[Message type ${unit.msg_type}]`, details: {} };
		default:
			return assertNever(kind);
	}
}

/* ------------------------------------------------------------------ helpers */

/** "@BN @CN text": names after "@" followed by a space (WeChat uses U+2005) or the end. */
const MENTION = /(?:^|[\s\u2005])@([^\s\u2005@]+)(?=[\s\u2005]|$)/g;

export function mentionedNames(text: string): string[] {
	if (!text.includes('@')) return [];
	const names: string[] = [];
	for (const match of text.matchAll(MENTION)) names.push(match[1]);
	return names;
}

function summary(label: string, detail: string | null): string {
	return detail ? `[${label}] ${detail}` : `[${label}]`;
}

function contactType(wxid: string | null): CardDetails['contact_type'] {
	if (!wxid) return null;
	if (wxid.startsWith('gh_')) return 'official_account';
	if (wxid.endsWith('@stranger')) return 'stranger';
	return 'person';
}

/** A sender or recipient that is a room (WeChat's or WeCom's) names the chat. */
function roomOf(wxid: string): string {
	return isRoomWxid(wxid) ? wxid : '';
}

/** `<sysmsg ...>`, possibly after a `sender:\n` prefix; plain-text notices never start with '<'. */
function looksLikeXml(raw: string): boolean {
	return splitSender(raw).body.trimStart().startsWith('<');
}

/** msg_timestamp is milliseconds; a value that can only be seconds is scaled. */
function timestampMs(value: unknown): number | null {
	const n = num(value);
	if (n === undefined || n <= 0) return null;
	return n < 1e11 ? n * 1000 : n;
}

function str(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

function num(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && value.trim() !== '') {
		const n = Number(value);
		return Number.isFinite(n) ? n : undefined;
	}
	return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assertNever(value: never): never {
	throw new Error(`unhandled message kind ${String(value)}`);
}
