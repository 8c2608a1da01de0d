import { handleCallback } from '../../nodes/WeHub/trigger/handleCallback';
import { BOT_WXID, ROOM_WXID } from '../protocol/fixtures';
import { body, context, StoreFixture } from './harness';

/** A report_contact of about 10 MB, as a bot with ~40,000 friends sends after login. */
function bigContactReport(friends: number) {
	const friend_list = Array.from({ length: friends }, (_, i) => ({
		wxid: `wxid_friend${i.toString(36).padStart(8, '0')}`,
		wx_alias: `alias_${i}`,
		nickname: `好友 ${i} 的昵称`,
		remark_name: i % 3 === 0 ? `客户 ${i}` : '',
		head_img: `http://wx.qlogo.cn/mmhead/ver_1/${i.toString(16).padStart(40, 'a')}/132`,
		sex: (i % 3) as 0 | 1 | 2,
		country: 'CN',
		province: 'Guangdong',
		city: 'Shenzhen',
	}));
	const group_list = [
		{ wxid: ROOM_WXID, name: 'n8n 用户交流群', owner_wxid: BOT_WXID, member_count: 3 },
	];
	return body('report_contact', BOT_WXID, { friend_list, group_list });
}

describe('large reports', () => {
	const fixture = new StoreFixture('embedded');
	beforeAll(async () => await fixture.start());
	afterAll(async () => await fixture.stop());

	const report = bigContactReport(40_000);

	it('is at least 10 MB, like the biggest reports WeHub sends', () => {
		expect(report.length).toBeGreaterThan(10 * 1024 * 1024);
	});

	it('acks a 10 MB report_contact and keeps the parsed lists in the summary item', async () => {
		const started = Date.now();
		const outcome = await handleCallback(report, context(fixture));
		expect(outcome.ack.error_code).toBe(0);
		expect(outcome.items).toHaveLength(1);
		expect(outcome.items[0].friend_count).toBe(40_000);
		expect(Date.now() - started).toBeLessThan(5_000);
	});

	it('skips malformed friends of a 10 MB report in place, keeping every other one', async () => {
		const raw = JSON.parse(report.toString());
		for (let i = 0; i < 40_000; i += 1_000) raw.data.friend_list[i].wxid = '';
		const started = Date.now();
		const outcome = await handleCallback(Buffer.from(JSON.stringify(raw)), context(fixture));
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(outcome.ack.error_code).toBe(0);
		expect(outcome.items[0]).toMatchObject({ friend_count: 39_960 });
		const skipped = outcome.items[0].skipped as Array<{ index: number }>;
		expect(skipped).toHaveLength(40);
		expect(skipped[39]).toMatchObject({ list: 'friend_list', index: 39_000 });
		const friends = outcome.items[0].friend_list as Array<{ wxid: string }>;
		expect(friends.every((friend) => friend.wxid !== '')).toBe(true);
	});

	it('splits it into one item per contact that references the parsed entries', async () => {
		const outcome = await handleCallback(report, context(fixture, { splitContacts: 'contact' }));
		expect(outcome.items).toHaveLength(40_001);
		expect(outcome.items[40_000]).toMatchObject({
			event: 'contact',
			contact_type: 'room',
			wxid: ROOM_WXID,
		});
	});
});
