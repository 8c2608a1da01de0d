import { normaliseMessage, parseRequest } from '../../nodes/WeHub/protocol';
import { MAX_JSON_DEPTH } from '../../nodes/WeHub/protocol/request';
import {
	classifySystemNotice,
	MAX_PATTERN_TEXT_LENGTH,
} from '../../nodes/WeHub/protocol/systemNotice';
import type { ReportMsgUnit } from '../../nodes/WeHub/protocol/types';
import { Readable } from 'node:stream';

import { handleCallback } from '../../nodes/WeHub/trigger/handleCallback';
import { handleMedia } from '../../nodes/WeHub/trigger/handleMedia';
import { readMultipartUpload } from '../../nodes/WeHub/trigger/multipart';
import { BOT_WXID } from '../protocol/fixtures';
import { APPID, body, context, StoreFixture } from '../trigger/harness';
import { elapsedMs } from './invariants';
import { jpegBytes, multipartBody } from './multipartBodies';

/** Each case here was a bug the fuzzing found; the fix is named in docs/security.md. */

function envelope(data: unknown, action = 'report_new_msg'): string {
	return JSON.stringify({ action, appid: 'wh_appid_3f9c2a', wxid: BOT_WXID, data });
}

describe('deeply nested bodies', () => {
	const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

	it.each([
		['10,000 levels of arrays in an unknown action', 10_000, 'report_qrcode'],
		['100,000 levels under a known action', 100_000, 'report_contact'],
	])('refuses %s with a 400 instead of handing n8n an item it cannot copy', (_, levels, action) => {
		const result = parseRequest(
			`{"action":"${action}","appid":"a","wxid":"w","data":{"x":${nested(levels)}}}`,
		);
		expect(result).toEqual({
			ok: false,
			error: expect.objectContaining({
				httpStatus: 400,
				reason: `Body is nested deeper than ${MAX_JSON_DEPTH} levels`,
			}),
		});
	});

	it('says "too deep", not "invalid JSON", when the key-checking parse overflows', () => {
		// "constructor" in a text value sends the body through the reviver, which recurses.
		const body = `{"action":"x","appid":"a","wxid":"w","data":{"note":"constructor","x":${nested(50_000)}}}`;
		const result = parseRequest(body);
		expect(result.ok || result.error.reason).toBe(
			`Body is nested deeper than ${MAX_JSON_DEPTH} levels`,
		);
	});

	it('still accepts the deepest real shape (room member reports)', () => {
		const data = {
			room_data_list: [
				{ room_wxid: '8680025352@chatroom', memberInfo_list: [{ wxid: 'wxid_alice6a8kd2' }] },
			],
		};
		expect(parseRequest(envelope(data, 'report_room_member_info')).ok).toBe(true);
	});
});

describe('system notices that used to backtrack for seconds', () => {
	const unit = (msg: string): ReportMsgUnit =>
		({ msg_type: 10000, room_wxid: '8680025352@chatroom', msg, raw_msg: msg }) as ReportMsgUnit;

	it.each([
		['"修改群名为" repeated, then a new line', 'a' + '修改群名为'.repeat(200_000) + '\nx'],
		['"通过扫描" repeated', 'a' + '通过扫描'.repeat(250_000)],
		['"邀请" repeated', 'a' + '邀请'.repeat(500_000)],
		['"已成为新群主" missing after a long name', 'x'.repeat(1_000_000)],
	])('classifies a megabyte of %s in well under a second', (_, text) => {
		const ms = elapsedMs(() => expect(classifySystemNotice(text).type).toBe('other'));
		expect(ms).toBeLessThan(500);
	});

	it('keeps classifying long texts by their linear patterns', () => {
		const content = '本群禁止广告。'.repeat(2_000);
		expect(content.length).toBeGreaterThan(MAX_PATTERN_TEXT_LENGTH);
		expect(normaliseMessage(unit(`群公告：${content}`), BOT_WXID).details).toMatchObject({
			classification: 'announcement',
			content,
		});
	});

	it('still reads real notices at the length limit', () => {
		const names = Array.from({ length: 300 }, (_, i) => `"成员${i}"`).join('、');
		const text = `"Alice"邀请${names}加入了群聊`;
		expect(text.length).toBeLessThan(MAX_PATTERN_TEXT_LENGTH);
		expect(classifySystemNotice(text)).toMatchObject({ type: 'member_joined', inviter: 'Alice' });
	});

	it('renders a sysmsg template that names a long member list 20,000 times without throwing', () => {
		const member = `<member><username>wxid_x</username><nickname>${'N'.repeat(10_000)}</nickname></member>`;
		const xml =
			'<sysmsg type="sysmsgtemplate"><sysmsgtemplate><content_template type="tmpl_type_profile">' +
			`<template><![CDATA[${'$names$'.repeat(20_000)}]]></template><link_list>` +
			`<link name="names" type="link_profile"><memberlist>${member}</memberlist></link>` +
			'</link_list></content_template></sysmsgtemplate></sysmsg>';
		let type = '';
		const ms = elapsedMs(() => {
			type = normaliseMessage(unit(xml), BOT_WXID).kind;
		});
		expect(type).toBe('system');
		expect(ms).toBeLessThan(1_000);
	});
});

describe('multipart uploads', () => {
	it('answers a body cut off in the middle of the file with a 400, not an uncaught error', async () => {
		const { head, contentType } = multipartBody({ fileIndex: 'idx-video', fileName: 'a.mp4' });
		const uncaught = jest.fn();
		process.on('uncaughtException', uncaught);
		try {
			const body = Buffer.concat([head, jpegBytes(4096)]);
			const result = await readMultipartUpload(body, contentType, 1024 * 1024);
			expect(result).toMatchObject({ ok: false, status: 400, fileIndex: 'idx-video' });
			await new Promise((resolve) => setImmediate(resolve));
			expect(uncaught).not.toHaveBeenCalled();
		} finally {
			process.off('uncaughtException', uncaught);
		}
	});

	it('answers 413 as soon as the file crosses the limit, before the body ends', async () => {
		const { head, contentType } = multipartBody({ fileIndex: 'idx-video', fileName: 'a.mp4' });
		const total = 64 * 1024 * 1024;
		let sent = 0;
		// Chunks arrive asynchronously, as from a socket.
		const source = new Readable({
			read() {
				setImmediate(() => {
					if (sent >= total) return void this.push(null);
					this.push(sent === 0 ? head : Buffer.alloc(64 * 1024, 1));
					sent += 64 * 1024;
				});
			},
		});
		const result = await readMultipartUpload(source, contentType, 1024 * 1024);
		const readAtAnswer = sent;
		source.destroy();
		expect(result).toMatchObject({ ok: false, status: 413, fileIndex: 'idx-video' });
		expect(readAtAnswer).toBeLessThan(4 * 1024 * 1024);
	});
});

describe('identifiers too long for a store key', () => {
	const fixture = new StoreFixture('embedded');
	beforeAll(async () => await fixture.start());
	afterAll(async () => await fixture.stop());
	const long = 'wxid_' + 'x'.repeat(5_000);

	it.each([
		['pull_task', long, {}, 'Field "wxid" is longer than 256 bytes'],
		['login', long, { nickname: '小助手' }, 'Field "wxid" is longer than 256 bytes'],
		[
			'report_new_msg',
			BOT_WXID,
			{ msg: { msg_type: 3, wxid_from: 'wxid_alice6a8kd2', file_index: long } },
			'Field "message unit 0.file_index" is longer than 1024 bytes',
		],
		[
			'report_task_result',
			BOT_WXID,
			{ task_id: long, task_result: 1 },
			'Field "data.task_id" is longer than 1024 bytes',
		],
		[
			'report_friend_add_request',
			BOT_WXID,
			{ v1: long, v2: 'v4_000b708f' },
			'Field "data.v1" is longer than 1024 bytes',
		],
	])(
		'%s: refused with error 400 instead of a store error (500)',
		async (action, wxid, data, reason) => {
			const outcome = await handleCallback(body(action, wxid, data), context(fixture));
			expect(outcome).toMatchObject({ ack: { error_code: 400, error_reason: reason } });
		},
	);

	it('a friend request whose raw_msg names an absurdly long requester is filed under v1', async () => {
		const data = {
			v1: 'v1_4f0c3b2a@stranger',
			v2: 'v4_000b708f',
			raw_msg: `<msg fromusername="${long}" fromnickname="Bob" content="hi"/>`,
		};
		const outcome = await handleCallback(
			body('report_friend_add_request', BOT_WXID, data),
			context(fixture),
		);
		expect(outcome.ack.error_code).toBe(0);
		expect(outcome.items[0]).toMatchObject({ requester_wxid: 'v1_4f0c3b2a@stranger' });
	});

	it('a media URL with a long id is a 404, not a store error', async () => {
		const media = await handleMedia(long, APPID, await fixture.store());
		expect(media.status).toBe(404);
	});
});
