import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Realistic WeHub request bodies shared by the protocol, trigger and simulator tests. */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

export const BOT_WXID = 'wxid_p9597egc5j1c21';
export const ROOM_WXID = '8680025352@chatroom';
export const ALICE_WXID = 'wxid_alice6a8kd2';

export function fixtureNames(folder: 'requests' | 'bad'): string[] {
	return readdirSync(join(FIXTURES_DIR, folder)).sort();
}

export function readFixture(folder: 'requests' | 'bad', name: string): Buffer {
	return readFileSync(join(FIXTURES_DIR, folder, name));
}
