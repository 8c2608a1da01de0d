/**
 * Realistic WeChat people and rooms as WeHub reports them: userInfo, groupInfo and memberInfo
 * shapes (PROTOCOL.md, "Structures"), with Chinese nicknames, custom ids next to `wxid_...` ids,
 * and the later fields (sex, region) only for client versions that send them.
 */
import { supports } from './clientVersion';
import type { Random } from './random';

export interface UserInfo {
	wxid: string;
	wx_alias: string;
	nickname: string;
	remark_name: string;
	head_img: string;
	sex?: number;
	country?: string;
	province?: string;
	city?: string;
}

export interface GroupInfo {
	wxid: string;
	name: string;
	owner_wxid: string;
	member_count: number;
	head_img: string;
	member_wxid_list: string[];
}

export interface MemberInfo {
	wxid: string;
	wx_alias: string;
	room_nickname: string;
	nickname: string;
	head_img: string;
	sex?: number;
	country?: string;
	province?: string;
	city?: string;
}

export interface PublicAccount {
	wxid: string;
	nickname: string;
	head_img: string;
}

/** Everything a bot knows about its contacts; kept by the simulator after `reportContact`. */
export interface ContactBook {
	friends: UserInfo[];
	groups: GroupInfo[];
	publicAccounts: PublicAccount[];
	/** Room wxid -> its members (the bot included), as `report_room_member_info` sends them. */
	members: Map<string, MemberInfo[]>;
}

const FAMILY_NAMES = [
	'王',
	'李',
	'张',
	'刘',
	'陈',
	'杨',
	'黄',
	'赵',
	'周',
	'吴',
	'徐',
	'孙',
	'马',
	'朱',
	'胡',
	'郭',
	'何',
	'林',
	'罗',
	'高',
];
const GIVEN_NAMES = [
	'伟',
	'芳',
	'娜',
	'敏',
	'静',
	'丽',
	'强',
	'磊',
	'洋',
	'艳',
	'勇',
	'军',
	'杰',
	'娟',
	'涛',
	'明',
	'超',
	'秀英',
	'晓东',
	'海燕',
	'建华',
	'子涵',
	'雨萱',
	'浩然',
];
const STYLED_NICKNAMES = [
	'老情人',
	'小太阳☀️',
	'阿飞',
	'Lucy',
	'追风少年',
	'🍀幸运草',
	'大胖',
	'Kevin Wu',
	'猫猫不吃鱼',
	'一杯清茶',
	'胖虎',
	'A-Ming',
];
const ROOM_NAMES = [
	'家庭群',
	'技术交流群',
	'周末羽毛球',
	'产品讨论组',
	'同学会2008级',
	'小区业主群',
	'读书会📚',
	'公司年会筹备',
	'吃货联盟',
	'跑步打卡群',
];
const REGIONS: Array<[string, string, string]> = [
	['CN', 'Guangdong', 'Shenzhen'],
	['CN', 'Beijing', 'Haidian'],
	['CN', 'Shanghai', 'Pudong New District'],
	['CN', 'Hubei', 'Wuhan'],
	['CN', 'Zhejiang', 'Hangzhou'],
	['CN', 'Sichuan', 'Chengdu'],
	['US', 'California', 'San Jose'],
	['', '', ''],
];
const PUBLIC_ACCOUNTS = ['腾讯新闻', '微信支付', '招商银行信用卡', '人民日报', '中国移动'];

export function randomWxid(random: Random): string {
	// About one in five people chose a custom id at sign-up (e.g. `fangqing_hust`).
	if (random.chance(0.2)) {
		return `${random.fromAlphabet('abcdefghijklmnopqrstuvwxyz', random.int(4, 8))}_${random.fromAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', random.int(2, 5))}`;
	}
	return `wxid_${random.fromAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 14)}`;
}

export function randomRoomWxid(random: Random): string {
	return `${random.digits(random.int(10, 11))}@chatroom`;
}

export function randomNickname(random: Random): string {
	if (random.chance(0.3)) return random.pick(STYLED_NICKNAMES);
	return random.pick(FAMILY_NAMES) + random.pick(GIVEN_NAMES);
}

export function headImageUrl(random: Random): string {
	return `http://wx.qlogo.cn/mmhead/ver_1/${random.fromAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 60)}/132`;
}

function withProfile<T extends object>(
	base: T,
	random: Random,
	version: string,
): T & Partial<UserInfo> {
	if (!supports(version, 'messageIds')) return base;
	const [country, province, city] = random.pick(REGIONS);
	return { ...base, sex: random.int(0, 2), country, province, city };
}

export function randomUser(random: Random, version: string): UserInfo {
	const wxid = randomWxid(random);
	const nickname = randomNickname(random);
	return withProfile(
		{
			wxid,
			wx_alias:
				wxid.startsWith('wxid_') && random.chance(0.5) ? '' : `${nickname.length}${random.hex(6)}`,
			nickname,
			remark_name: random.chance(0.3) ? `${nickname}(${random.pick(ROOM_NAMES).slice(0, 2)})` : '',
			head_img: headImageUrl(random),
		},
		random,
		version,
	);
}

export function memberFromUser(user: UserInfo, random: Random): MemberInfo {
	const { remark_name: _remark, ...rest } = user;
	return {
		...rest,
		room_nickname: random.chance(0.3) ? `${user.nickname}-${random.int(1, 99)}` : '',
	};
}

export interface BotProfile {
	wxid: string;
	nickname: string;
	wx_alias: string;
	head_img: string;
}

/** Friends, rooms (members drawn from friends and strangers, the bot always in), public accounts. */
export function generateContacts(
	counts: { friends: number; groups: number; publicAccounts?: number },
	bot: BotProfile,
	random: Random,
	version: string,
): ContactBook {
	const friends = Array.from({ length: counts.friends }, () => randomUser(random, version));
	const botMember: MemberInfo = {
		wxid: bot.wxid,
		wx_alias: bot.wx_alias,
		nickname: bot.nickname,
		room_nickname: '',
		head_img: bot.head_img,
	};
	const members = new Map<string, MemberInfo[]>();
	const groups: GroupInfo[] = [];
	for (let i = 0; i < counts.groups; i++) {
		const wxid = randomRoomWxid(random);
		const fromFriends = random.sample(
			friends,
			random.int(Math.min(2, friends.length), Math.min(12, friends.length)),
		);
		const strangers = Array.from({ length: random.int(1, 6) }, () => randomUser(random, version));
		const roomMembers = [
			botMember,
			...[...fromFriends, ...strangers].map((user) => memberFromUser(user, random)),
		];
		members.set(wxid, roomMembers);
		groups.push({
			wxid,
			name:
				i < ROOM_NAMES.length && random.chance(0.9)
					? ROOM_NAMES[i]
					: i % 7 === 6
						? ''
						: `${random.pick(ROOM_NAMES)}${i + 1}`,
			owner_wxid: random.chance(0.3) ? bot.wxid : random.pick(roomMembers).wxid,
			member_count: roomMembers.length,
			head_img: headImageUrl(random),
			member_wxid_list: roomMembers.map((member) => member.wxid),
		});
	}
	const publicAccounts = random
		.sample(PUBLIC_ACCOUNTS, counts.publicAccounts ?? 2)
		.map((nickname) => ({
			wxid: `gh_${random.hex(12)}`,
			nickname,
			head_img: headImageUrl(random),
		}));
	return { friends, groups, publicAccounts, members };
}
