import { parseRawXml, xmlAll, xmlPath, xmlText, type RawXmlResult } from './rawXml';

/**
 * WeChat's system notices (msg_type 10000), classified. They are plain Chinese text, with names
 * quoted in several styles ("X", “X”, 「X」, or bare), or `<sysmsg>` XML on some clients. "你"
 * ("you") is the bot itself: such names come back as null with an `*_is_self` flag.
 */
export type SystemNotice =
	| {
			type: 'member_joined';
			text: string;
			/** Who invited, or whose QR code was scanned; null when it was the bot or unknown. */
			inviter: string | null;
			inviter_is_self: boolean;
			/** Names of who joined (the bot excluded: see invitee_is_self). */
			invitees: string[];
			invitee_is_self: boolean;
			by_qr_code: boolean;
			/** Only `<sysmsg>` templates carry wxids. */
			inviter_wxid?: string;
			invitee_wxids?: string[];
	  }
	| {
			type: 'room_renamed';
			text: string;
			new_name: string;
			renamed_by: string | null;
			renamed_by_self: boolean;
	  }
	| { type: 'owner_changed'; text: string; new_owner: string | null; new_owner_is_self: boolean }
	| { type: 'message_rejected'; text: string }
	| {
			type: 'message_revoked';
			text: string;
			/** Who took the message back (撤回); null when it was the bot or unknown. */
			revoked_by: string | null;
			revoked_by_self: boolean;
			/**
			 * The `msg_id` of the message taken back, when the notice is `<sysmsg type="revokemsg">`
			 * (its `newmsgid`, else `msgid`); null for plain-text notices.
			 */
			revoked_msg_id: string | null;
	  }
	| { type: 'red_packet'; text: string }
	| { type: 'announcement'; text: string; content: string }
	| { type: 'other'; text: string };

export type SystemNoticeType = SystemNotice['type'];

const SELF = '你';
const QUOTE_PAIRS: ReadonlyArray<[string, string]> = [
	['"', '"'],
	['“', '”'],
	['”', '”'],
	['“', '“'],
	['「', '」'],
	["'", "'"],
];

/** Removes one pair of surrounding quotes of any style WeChat uses. */
export function unquote(name: string): string {
	const trimmed = name.trim();
	for (const [open, close] of QUOTE_PAIRS) {
		if (trimmed.length >= 2 && trimmed.startsWith(open) && trimmed.endsWith(close)) {
			return trimmed.slice(open.length, trimmed.length - close.length).trim();
		}
	}
	return trimmed;
}

const REJECTED = /消息已发出[，,]\s*但被对方拒收了/;
const REVOKED = /^(.*?)\s*撤回了一条消息/;
const RED_PACKET = /红包/;
const BY_QR_CODE = /^(.+?)通过扫描(.+?)分享的二维码加入(?:了)?群聊/;
const INVITED = /^(.+?)邀请(.+?)加入了群聊/;
const RENAMED = /^(.+?)修改群名为(.+)$/;
const NEW_OWNER = /^(.+?)已成为新群主/;
const ANNOUNCEMENT = /群公告/;
const ANNOUNCEMENT_CONTENT = /群公告(?:内容)?[:：]?\s*([\s\S]*)$/;
const LIST_SEPARATOR = /[、，,]/;
/**
 * The name patterns above backtrack quadratically on long texts without a match (a 100 kB body of
 * repeated "修改群名为" takes seconds). Real notices are a few hundred characters: longer texts are
 * only checked for the linear patterns (rejection, announcement, red packet).
 */
export const MAX_PATTERN_TEXT_LENGTH = 8 * 1024;
/** A sysmsg template may name a long member list many times; rendering stops growing here. */
const MAX_RENDERED_TEMPLATE_LENGTH = 64 * 1024;

function person(name: string): { name: string | null; isSelf: boolean } {
	const unquoted = unquote(name);
	return unquoted === SELF ? { name: null, isSelf: true } : { name: unquoted, isSelf: false };
}

function classifyText(text: string): SystemNotice {
	if (REJECTED.test(text)) return { type: 'message_rejected', text };

	const short = text.length <= MAX_PATTERN_TEXT_LENGTH;
	let match = short ? REVOKED.exec(text) : null;
	if (match) {
		const by = person(match[1]);
		return {
			type: 'message_revoked',
			text,
			revoked_by: by.name || null,
			revoked_by_self: by.isSelf,
			revoked_msg_id: null,
		};
	}
	match = short ? BY_QR_CODE.exec(text) : null;
	if (match) {
		const joiner = person(match[1]);
		const sharer = person(match[2]);
		return {
			type: 'member_joined',
			text,
			inviter: sharer.name,
			inviter_is_self: sharer.isSelf,
			invitees: joiner.name === null ? [] : [joiner.name],
			invitee_is_self: joiner.isSelf,
			by_qr_code: true,
		};
	}
	match = short ? INVITED.exec(text) : null;
	if (match) {
		const inviter = person(match[1]);
		const names = unquote(match[2])
			.split(LIST_SEPARATOR)
			.map(unquote)
			.filter((name) => name !== '');
		return {
			type: 'member_joined',
			text,
			inviter: inviter.name,
			inviter_is_self: inviter.isSelf,
			invitees: names.filter((name) => name !== SELF),
			invitee_is_self: names.includes(SELF),
			by_qr_code: false,
		};
	}
	match = short ? RENAMED.exec(text) : null;
	if (match) {
		const by = person(match[1]);
		return {
			type: 'room_renamed',
			text,
			new_name: unquote(match[2]),
			renamed_by: by.name,
			renamed_by_self: by.isSelf,
		};
	}
	match = short ? NEW_OWNER.exec(text) : null;
	if (match) {
		const owner = person(match[1]);
		return { type: 'owner_changed', text, new_owner: owner.name, new_owner_is_self: owner.isSelf };
	}
	if (ANNOUNCEMENT.test(text)) {
		let content = ANNOUNCEMENT_CONTENT.exec(text)?.[1] ?? '';
		// The 0.1.5 notice quotes the whole sentence: "设置群公告内容xxx" -> drop the closing quote.
		if (/^["“「]/.test(text)) content = content.replace(/["”」]$/, '');
		return { type: 'announcement', text, content: unquote(content) };
	}
	if (RED_PACKET.test(text)) return { type: 'red_packet', text };
	return { type: 'other', text };
}

interface TemplateMember {
	wxid?: string;
	nickname?: string;
}

/** `<link name="x"><memberlist><member>...` entries of a sysmsgtemplate, by link name. */
function templateLinks(template: unknown): Map<string, { members: TemplateMember[]; sep: string }> {
	const links = new Map<string, { members: TemplateMember[]; sep: string }>();
	for (const entry of xmlAll(template, 'link_list', 'link')) {
		const name = xmlText(entry, 'name');
		if (!name) continue;
		const members = xmlAll(entry, 'memberlist', 'member').map((member) => ({
			wxid: xmlText(member, 'username'),
			nickname: xmlText(member, 'nickname'),
		}));
		links.set(name, { members, sep: xmlText(entry, 'separator') ?? '、' });
	}
	return links;
}

function classifySysmsg(text: string, given?: RawXmlResult): SystemNotice {
	const parsed = given ?? parseRawXml(text);
	if (!parsed.ok) return { type: 'other', text };
	const template = xmlPath(parsed.xml, 'sysmsgtemplate', 'content_template');
	const pattern = xmlText(template, 'template');
	if (pattern !== undefined) {
		const links = templateLinks(template);
		let length = pattern.length;
		const rendered = pattern.replace(/\$(\w+)\$/g, (whole, name: string) => {
			const link = links.get(name);
			if (!link || length > MAX_RENDERED_TEMPLATE_LENGTH) return whole;
			const names = link.members
				.map((member) => member.nickname ?? member.wxid ?? '')
				.join(link.sep);
			length += names.length;
			return names;
		});
		const notice = classifyText(rendered.trim());
		if (notice.type === 'member_joined') {
			// Template links name who invited ("username"/"adder") and who joined ("names"/"others").
			const inviter = links.get('username') ?? links.get('adder') ?? links.get('from');
			const invitees = links.get('names') ?? links.get('others');
			const inviterWxid = inviter?.members[0]?.wxid;
			if (inviterWxid) notice.inviter_wxid = inviterWxid;
			if (invitees) {
				notice.invitee_wxids = invitees.members
					.map((member) => member.wxid)
					.filter((wxid): wxid is string => Boolean(wxid));
			}
		}
		return notice;
	}
	const revoke = xmlPath(parsed.xml, 'revokemsg');
	if (revoke !== undefined) return revokeNotice(revoke);
	return { type: 'other', text };
}

/** `<revokemsg><session/><msgid/><newmsgid/><replacemsg>"X" 撤回了一条消息</replacemsg></revokemsg>`. */
function revokeNotice(revoke: unknown): SystemNotice {
	const replaced = xmlText(revoke, 'replacemsg')?.trim();
	const fromText = replaced ? classifyText(replaced) : undefined;
	const msgId = xmlText(revoke, 'newmsgid')?.trim() || xmlText(revoke, 'msgid')?.trim() || null;
	if (fromText && fromText.type !== 'message_revoked' && fromText.type !== 'other') return fromText;
	return {
		type: 'message_revoked',
		text: replaced || '撤回了一条消息',
		revoked_by: fromText?.type === 'message_revoked' ? fromText.revoked_by : null,
		revoked_by_self: fromText?.type === 'message_revoked' ? fromText.revoked_by_self : false,
		revoked_msg_id: msgId,
	};
}

/**
 * Never throws; anything unrecognised is `other` with the text kept. `parsed`: the notice's XML
 * already parsed by the caller (message.ts parses every raw_msg once), so it is not parsed twice.
 */
export function classifySystemNotice(text: string, parsed?: RawXmlResult): SystemNotice {
	if (typeof text !== 'string') return { type: 'other', text: '' };
	if (parsed?.ok) return classifySysmsg(text.trim(), parsed);
	const trimmed = text.trim();
	if (trimmed.startsWith('<')) return classifySysmsg(trimmed);
	return classifyText(trimmed);
}
