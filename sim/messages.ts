/**
 * Message units (`$report_msgunit`) as a WeHub client of a given version reports them, one
 * builder per msg_type, with the raw_msg XML WeChat produces (room messages carry the
 * `sender_wxid:\n` prefix before the XML, as WeChat stores them).
 */
import { supports } from './clientVersion';
import { fakeMedia, type MediaFile } from './media';
import type { Random } from './random';

export const MESSAGE_KINDS = [
	'text',
	'image',
	'voice',
	'card',
	'video',
	'emoji',
	'link',
	'mini_program',
	'transfer',
	'file',
	'system',
] as const;

export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * Earlier names still accepted wherever a kind is named (scenario files, sendMessage): the
 * simulator called mini programs `miniProgram` before it took the package's kind name.
 */
export const MESSAGE_KIND_ALIASES = { miniProgram: 'mini_program' } as const satisfies Record<
	string,
	MessageKind
>;

/** A kind, or an earlier name of one. */
export type MessageKindName = MessageKind | keyof typeof MESSAGE_KIND_ALIASES;

/** The kind `name` stands for ("mini_program" for "miniProgram"), or undefined for no kind. */
export function messageKindNamed(name: unknown): MessageKind | undefined {
	if (typeof name !== 'string') return undefined;
	if ((MESSAGE_KINDS as readonly string[]).includes(name)) return name as MessageKind;
	return Object.hasOwn(MESSAGE_KIND_ALIASES, name)
		? MESSAGE_KIND_ALIASES[name as keyof typeof MESSAGE_KIND_ALIASES]
		: undefined;
}

export const MSG_TYPES: Record<MessageKind, number> = {
	text: 1,
	image: 3,
	voice: 34,
	card: 42,
	video: 43,
	emoji: 47,
	link: 49,
	mini_program: 4901,
	transfer: 4902,
	file: 4903,
	system: 10000,
};

export interface Mention {
	wxid: string;
	/** The name shown after "@": the room nickname, else the nickname. */
	name: string;
}

/** What a caller may set; anything left out gets a realistic value. */
export interface MessageOptions {
	/** Room wxid; absent or empty for a private chat. */
	room?: string;
	/** Sender wxid; the bot's own wxid reports a message the bot sent. */
	from?: string;
	/** Private chats only: the receiver (the bot, unless the bot sent it). */
	to?: string;
	/** text: the words after any mentions; system: the notice. */
	text?: string;
	mentions?: Mention[];
	fileIndex?: string;
	/** Room XML messages start with `sender:\n` unless this is false. */
	senderPrefix?: boolean;
	msgId?: string;
	timestamp?: number;
	url?: string;
	title?: string;
	description?: string;
	imageUrl?: string;
	/** link: a room invitation (sub_type 5, an `addchatroombyinvite` URL). */
	roomInvite?: boolean;
	cardWxid?: string;
	cardNickname?: string;
	/** transfer: amount in yuan, e.g. "0.10". */
	amount?: string;
	paysubtype?: 1 | 3;
	transferid?: string;
	fileName?: string;
	/** voice: milliseconds; video: seconds. */
	duration?: number;
}

export interface MessageContext {
	version: string;
	botWxid: string;
	random: Random;
}

export type ReportMsgUnit = Record<string, unknown> & {
	msg_type: number;
	room_wxid: string;
	wxid_from: string;
	wxid_to: string;
};

export interface BuiltMessage {
	unit: ReportMsgUnit;
	/** The file behind `file_index`, for a later task 9. */
	media?: { fileIndex: string; file: MediaFile };
}

export function escapeXml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

/** A CDN-style file index like the one in the original document's upload example. */
export function randomFileIndex(random: Random): string {
	return `3053020100044c304a020100020${random.hex(7)}02032f56c10204${random.hex(8)}0204${random.hex(8)}0425617570696d67${random.hex(56)}0204010400020201000400`;
}

function localPath(ctx: MessageContext, folder: string, ext: string): string {
	return `C:\\Users\\Administrator\\Documents\\WeChat Files\\${ctx.botWxid}\\FileStorage\\${folder}\\2018-09\\${ctx.random.hex(32)}.${ext}`;
}

function withPrefix(xml: string, room: string, from: string, options: MessageOptions): string {
	return room && options.senderPrefix !== false ? `${from}:\n${xml}` : xml;
}

/** Builds one message unit of `kind` as the client version in `ctx` reports it. */
export function buildMessage(
	kindName: MessageKindName,
	options: MessageOptions,
	ctx: MessageContext,
): BuiltMessage {
	const kind = messageKindNamed(kindName);
	if (!kind)
		throw new Error(
			`Unknown message kind ${JSON.stringify(kindName)} (known: ${MESSAGE_KINDS.join(', ')})`,
		);
	const { random, version, botWxid } = ctx;
	const room = options.room ?? '';
	const from = options.from ?? `wxid_${random.hex(14)}`;
	const to = room || options.to || botWxid;
	const self = from === botWxid;
	const unit: ReportMsgUnit = {
		msg_type: MSG_TYPES[kind],
		room_wxid: room,
		wxid_from: from,
		wxid_to: to,
	};
	if (supports(version, 'messageIds')) {
		unit.msg_id = options.msgId ?? random.digits(19);
		unit.msg_timestamp = options.timestamp ?? Date.now();
	}
	const prefixed = (xml: string) => withPrefix(xml, room, from, options);
	const later = supports(version, 'richerRooms');
	let media: BuiltMessage['media'];
	const attachMedia = (
		mediaKind: 'image' | 'video' | 'voice' | 'file',
		uploadable: boolean,
		filename?: string,
	) => {
		if (!uploadable) {
			unit.file_index = '';
			return;
		}
		const fileIndex =
			options.fileIndex ??
			(self
				? localPath(ctx, mediaKind === 'file' ? 'File' : 'Image', 'dat')
				: randomFileIndex(random));
		unit.file_index = fileIndex;
		media = { fileIndex, file: fakeMedia(mediaKind, random, filename) };
	};

	switch (kind) {
		case 'text': {
			const mentions = options.mentions ?? [];
			const words =
				options.text ??
				random.pick(['你好', '在吗？', '收到，谢谢[微笑]', '明天几点开会？', 'ping']);
			unit.msg = [...mentions.map((m) => `@${m.name}`), words].join(' ');
			if (supports(version, 'messageIds')) unit.atUserList = mentions.map((m) => m.wxid);
			break;
		}
		case 'image':
			attachMedia('image', true);
			break;
		case 'voice': {
			const ms = options.duration ?? random.int(1_000, 59_000);
			const bytes = Math.round(ms * 1.6);
			attachMedia('voice', supports(version, 'voiceUpload'));
			unit.raw_msg = prefixed(
				`<msg><voicemsg endflag="1" cancelflag="0" forwardflag="0" voiceformat="4" voicelength="${ms}" length="${bytes}" bufid="${random.digits(18)}" clientmsgid="${random.hex(32)}" fromusername="${from}" /></msg>`,
			);
			break;
		}
		case 'card': {
			const username =
				options.cardWxid ??
				(random.chance(0.5) ? `v1_${random.hex(48)}@stranger` : `wxid_${random.hex(14)}`);
			const nickname = options.cardNickname ?? random.pick(['张伟', '李娜', '老王', 'Lucy']);
			unit.raw_msg = prefixed(
				`<?xml version="1.0"?>\n<msg bigheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/${random.hex(40)}/0" smallheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/${random.hex(40)}/132" username="${escapeXml(username)}" nickname="${escapeXml(nickname)}" fullpy="" shortpy="" alias="${random.chance(0.5) ? random.hex(8) : ''}" imagestatus="3" scene="17" province="广东" city="深圳" sign="" sex="${random.int(0, 2)}" certflag="0" certinfo="" brandIconUrl="" brandHomeUrl="" brandSubscriptConfigUrl="" brandFlags="0" regionCode="CN_Guangdong_Shenzhen" />\n`,
			);
			break;
		}
		case 'video': {
			const seconds = options.duration ?? random.int(3, 60);
			attachMedia('video', true);
			const length = media ? media.file.bytes.length : random.int(100_000, 5_000_000);
			unit.raw_msg = prefixed(
				`<?xml version="1.0"?>\n<msg>\n\t<videomsg aeskey="${random.hex(32)}" cdnthumbaeskey="${random.hex(32)}" cdnvideourl="${random.hex(120)}" cdnthumburl="${random.hex(120)}" length="${length}" playlength="${seconds}" cdnthumblength="${random.int(4_000, 12_000)}" cdnthumbwidth="224" cdnthumbheight="398" fromusername="${from}" md5="${random.hex(32)}" newmd5="${random.hex(32)}" isad="0" />\n</msg>\n`,
			);
			break;
		}
		case 'emoji': {
			const md5 = random.hex(32);
			unit.emoji_url =
				options.url ??
				`http://emoji.qpic.cn/wx_emoji/${random.fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 48)}/`;
			unit.raw_msg = prefixed(
				`<msg><emoji fromusername="${from}" tousername="${to}" type="2" idbuffer="media:0_0" md5="${md5}" len="${random.int(8_000, 400_000)}" productid="" androidmd5="${md5}" androidlen="0" s60v3md5="${md5}" s60v3len="0" s60v5md5="${md5}" s60v5len="0" cdnurl="${escapeXml(String(unit.emoji_url))}" designerid="" thumburl="" encrypturl="" aeskey="" externurl="" externmd5="" width="240" height="240" tpurl="" tpauthkey="" attachedtext="" attachedtextcolor="" lensid=""></emoji></msg>`,
			);
			break;
		}
		case 'link': {
			const invite = options.roomInvite === true;
			unit.link_url =
				options.url ??
				(invite
					? `https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=${random.fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 24)}&exportkey=${random.hex(32)}`
					: `https://mp.weixin.qq.com/s?__biz=${random.fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 16)}==&mid=${random.digits(10)}&idx=1&sn=${random.hex(32)}`);
			unit.link_title =
				options.title ??
				(invite
					? '邀请你加入群聊'
					: random.pick([
							'深度｜微信生态的下一个十年',
							'周末去哪儿？这10个地方值得一去',
							'一文读懂 n8n 工作流',
						]));
			unit.link_desc =
				options.description ??
				(invite ? `"老王"邀请你加入群聊"技术交流群"，进入可查看详情。` : '点击阅读全文');
			unit.link_img_url =
				options.imageUrl ?? `http://mmbiz.qpic.cn/mmbiz_jpg/${random.hex(40)}/0?wx_fmt=jpeg`;
			if (later) {
				unit.sub_type = 5;
				unit.raw_msg = prefixed(
					`<?xml version="1.0"?>\n<msg>\n\t<appmsg appid="" sdkver="0">\n\t\t<title>${escapeXml(String(unit.link_title))}</title>\n\t\t<des>${escapeXml(String(unit.link_desc))}</des>\n\t\t<action />\n\t\t<type>5</type>\n\t\t<showtype>0</showtype>\n\t\t<content />\n\t\t<url>${escapeXml(String(unit.link_url))}</url>\n\t\t<thumburl>${escapeXml(String(unit.link_img_url))}</thumburl>\n\t\t<lowurl />\n\t\t<appattach>\n\t\t\t<totallen>0</totallen>\n\t\t\t<attachid />\n\t\t\t<fileext />\n\t\t</appattach>\n\t\t<extinfo />\n\t</appmsg>\n\t<fromusername>${from}</fromusername>\n\t<scene>0</scene>\n\t<appinfo>\n\t\t<version>1</version>\n\t\t<appname></appname>\n\t</appinfo>\n\t<commenturl></commenturl>\n</msg>\n`,
				);
			}
			break;
		}
		case 'mini_program': {
			const ghApp = `gh_${random.hex(12)}@app`;
			const appid = `wx${random.hex(16)}`;
			const title =
				options.title ?? random.pick(['美团外卖｜点外卖，上美团', '拼多多', '腾讯文档']);
			const source = options.description ?? random.pick(['美团外卖', '拼多多', '腾讯文档']);
			if (later) attachMedia('image', true);
			unit.raw_msg = prefixed(
				`<?xml version="1.0"?>\n<msg>\n\t<appmsg appid="" sdkver="0">\n\t\t<title>${escapeXml(title)}</title>\n\t\t<des />\n\t\t<action />\n\t\t<type>33</type>\n\t\t<url>https://mp.weixin.qq.com/mp/waerrpage?appid=${appid}&amp;type=upgrade&amp;upgradetype=3#wechat_redirect</url>\n\t\t<sourceusername>${ghApp}</sourceusername>\n\t\t<sourcedisplayname>${escapeXml(source)}</sourcedisplayname>\n\t\t<weappinfo>\n\t\t\t<username><![CDATA[${ghApp}]]></username>\n\t\t\t<appid><![CDATA[${appid}]]></appid>\n\t\t\t<type>2</type>\n\t\t\t<version>${random.int(10, 400)}</version>\n\t\t\t<weappiconurl><![CDATA[http://mmbiz.qpic.cn/mmbiz_png/${random.hex(40)}/640?wx_fmt=png]]></weappiconurl>\n\t\t\t<pagepath><![CDATA[pages/index/index.html?source=share&id=${random.digits(8)}]]></pagepath>\n\t\t\t<shareId><![CDATA[1_${appid}_${random.digits(10)}_${Math.floor(Date.now() / 1000)}_0]]></shareId>\n\t\t</weappinfo>\n\t</appmsg>\n\t<fromusername>${from}</fromusername>\n</msg>\n`,
			);
			break;
		}
		case 'transfer': {
			const amount = options.amount ?? `${random.int(0, 200)}.${random.digits(2).slice(0, 2)}`;
			const paysubtype = options.paysubtype ?? 1;
			const transferid = options.transferid ?? `1000050001${random.digits(21)}`;
			unit.transferid = transferid;
			unit.paysubtype = paysubtype;
			const upgrade =
				'https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=page/common_page__upgrade&text=text001&btn_text=btn_text_0';
			const seconds = Math.floor(Date.now() / 1000);
			unit.raw_msg = `<msg>\n<appmsg appid="" sdkver="">\n<title><![CDATA[微信转账]]></title>\n<des><![CDATA[${paysubtype === 1 ? `收到转账${amount}元。如需收钱，请点此升级至最新版本` : `已收钱${amount}元`}]]></des>\n<action></action>\n<type>2000</type>\n<content><![CDATA[]]></content>\n<url><![CDATA[${upgrade}]]></url>\n<thumburl><![CDATA[${upgrade}]]></thumburl>\n<lowurl></lowurl>\n<extinfo>\n</extinfo>\n<wcpayinfo>\n<paysubtype>${paysubtype}</paysubtype>\n<feedesc><![CDATA[￥${amount}]]></feedesc>\n<transcationid><![CDATA[1000050001${random.digits(26)}]]></transcationid>\n<transferid><![CDATA[${transferid}]]></transferid>\n<invalidtime><![CDATA[${seconds + 86_400}]]></invalidtime>\n<begintransfertime><![CDATA[${seconds}]]></begintransfertime>\n<effectivedate><![CDATA[1]]></effectivedate>\n<pay_memo><![CDATA[${escapeXml(options.text ?? '')}]]></pay_memo>\n</wcpayinfo>\n</appmsg>\n</msg>`;
			break;
		}
		case 'file': {
			const fileName =
				options.fileName ??
				random.pick(['2018年Q3季度报告.pdf', '会议纪要.docx', '报价单.xlsx', 'photos.zip']);
			attachMedia('file', supports(version, 'fileUpload'), fileName);
			const size = media ? media.file.bytes.length : random.int(10_000, 2_000_000);
			const ext = fileName.slice(fileName.lastIndexOf('.') + 1);
			unit.raw_msg = prefixed(
				`<?xml version="1.0"?>\n<msg>\n\t<appmsg appid="" sdkver="0">\n\t\t<title>${escapeXml(fileName)}</title>\n\t\t<des></des>\n\t\t<action></action>\n\t\t<type>6</type>\n\t\t<showtype>0</showtype>\n\t\t<content></content>\n\t\t<url></url>\n\t\t<appattach>\n\t\t\t<totallen>${size}</totallen>\n\t\t\t<attachid>@cdn_${random.hex(120)}_1</attachid>\n\t\t\t<emoticonmd5></emoticonmd5>\n\t\t\t<fileext>${escapeXml(ext)}</fileext>\n\t\t\t<cdnattachurl>${random.hex(120)}</cdnattachurl>\n\t\t\t<aeskey>${random.hex(32)}</aeskey>\n\t\t\t<encryver>1</encryver>\n\t\t</appattach>\n\t\t<md5>${random.hex(32)}</md5>\n\t</appmsg>\n\t<fromusername>${from}</fromusername>\n\t<scene>0</scene>\n\t<appinfo>\n\t\t<version>1</version>\n\t\t<appname></appname>\n\t</appinfo>\n\t<commenturl></commenturl>\n</msg>\n`,
			);
			break;
		}
		case 'system':
			unit.raw_msg =
				options.text ?? (room ? '你邀请"张伟"加入了群聊' : '消息已发出，但被对方拒收了');
			break;
		default: {
			const unknownKind: never = kind;
			throw new Error(`Unknown message kind: ${String(unknownKind)}`);
		}
	}
	return media ? { unit, media } : { unit };
}
