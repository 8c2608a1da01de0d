import { classifySystemNotice, unquote } from '../../nodes/WeHub/protocol';

describe('classifySystemNotice', () => {
	it.each([
		[
			'你邀请"方青"加入了群聊',
			{
				type: 'member_joined',
				inviter: null,
				inviter_is_self: true,
				invitees: ['方青'],
				by_qr_code: false,
			},
		],
		[
			'你邀请方青、李四加入了群聊',
			{ type: 'member_joined', inviter_is_self: true, invitees: ['方青', '李四'] },
		],
		[
			'“爱丽丝”邀请“方青、新朋友”加入了群聊',
			{ type: 'member_joined', inviter: '爱丽丝', invitees: ['方青', '新朋友'] },
		],
		[
			'"爱丽丝"邀请你加入了群聊，群聊参与人还有：方青',
			{ type: 'member_joined', inviter: '爱丽丝', invitees: [], invitee_is_self: true },
		],
		[
			'新朋友通过扫描你分享的二维码加入群聊',
			{
				type: 'member_joined',
				inviter: null,
				inviter_is_self: true,
				invitees: ['新朋友'],
				by_qr_code: true,
			},
		],
		[
			'「新朋友」通过扫描「爱丽丝」分享的二维码加入群聊',
			{ type: 'member_joined', inviter: '爱丽丝', invitees: ['新朋友'], by_qr_code: true },
		],
		[
			'你修改群名为“周末徒步群”',
			{ type: 'room_renamed', new_name: '周末徒步群', renamed_by: null, renamed_by_self: true },
		],
		[
			'"爱丽丝"修改群名为「周末徒步群」',
			{ type: 'room_renamed', new_name: '周末徒步群', renamed_by: '爱丽丝' },
		],
		['你已成为新群主', { type: 'owner_changed', new_owner: null, new_owner_is_self: true }],
		[
			'"老情人"已成为新群主',
			{ type: 'owner_changed', new_owner: '老情人', new_owner_is_self: false },
		],
		['消息已发出，但被对方拒收了。', { type: 'message_rejected' }],
		['消息已发出,但被对方拒收了', { type: 'message_rejected' }],
		['发出红包，请在手机上查看', { type: 'red_packet' }],
		['群公告：周六八点集合', { type: 'announcement', content: '周六八点集合' }],
		['群主已恢复默认进群方式。', { type: 'other' }],
		[
			'<sysmsg type="revokemsg"><revokemsg><session>8680025352@chatroom</session><replacemsg><![CDATA["爱丽丝" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>',
			{
				type: 'message_revoked',
				text: '"爱丽丝" 撤回了一条消息',
				revoked_by: '爱丽丝',
				revoked_by_self: false,
				revoked_msg_id: null,
			},
		],
		[
			'<sysmsg type="revokemsg"><revokemsg><session>wxid_alice6a8kd2</session><msgid>1057020520</msgid><newmsgid>7318826105471292381</newmsgid><replacemsg><![CDATA[你撤回了一条消息]]></replacemsg></revokemsg></sysmsg>',
			{
				type: 'message_revoked',
				revoked_by: null,
				revoked_by_self: true,
				revoked_msg_id: '7318826105471292381',
			},
		],
		[
			'<sysmsg type="revokemsg"><revokemsg><msgid>1057020520</msgid></revokemsg></sysmsg>',
			{ type: 'message_revoked', revoked_by: null, revoked_msg_id: '1057020520' },
		],
		[
			'"爱丽丝" 撤回了一条消息',
			{ type: 'message_revoked', revoked_by: '爱丽丝', revoked_msg_id: null },
		],
		['你撤回了一条消息', { type: 'message_revoked', revoked_by: null, revoked_by_self: true }],
		['<sysmsg type="pat"><pat><fromusername>a</fromusername></pat></sysmsg>', { type: 'other' }],
		['<sysmsg', { type: 'other', text: '<sysmsg' }],
	])('%s', (text, expected) => {
		expect(classifySystemNotice(text)).toMatchObject(expected);
	});

	it('never throws on non-text', () => {
		expect(classifySystemNotice(undefined as unknown as string)).toEqual({
			type: 'other',
			text: '',
		});
	});

	it('unquotes every quote style once', () => {
		expect(['"A"', '“A”', '”A”', '「A」', "'A'", 'A', ' "A" '].map(unquote)).toEqual(
			Array(7).fill('A'),
		);
	});
});
