import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { BotRef, TaskStore } from '../store/TaskStore';

/**
 * The per-login secret in a bot's WebSocket URL. WeHub connects to the `ws_url` its login_ack
 * names, so an unguessable token there is the only way to tell the bot that just logged in (with
 * the app's signed login) from anyone else who knows the listener's address. Each login replaces
 * the bot's token; a logout revokes it. Only a hash is kept, in the store, so a reconnect after
 * an n8n restart still finds it and a reader of the store cannot use it.
 */
const TOKEN_BYTES = 24;

function settingKey(wxid: string): string {
	return `ws_token:${wxid}`;
}

function digest(token: string): string {
	return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A fresh token for the bot's next socket; the previous one stops working. */
export async function issueSocketToken(store: TaskStore, bot: BotRef): Promise<string> {
	const token = randomBytes(TOKEN_BYTES).toString('base64url');
	await store.putSetting(bot.appid, settingKey(bot.wxid), digest(token));
	return token;
}

export async function socketTokenMatches(
	store: TaskStore,
	bot: BotRef,
	given: string,
): Promise<boolean> {
	if (!given || given.length > 128) return false;
	const expected = await store.getSetting(bot.appid, settingKey(bot.wxid));
	if (!expected) return false;
	const a = Buffer.from(expected);
	const b = Buffer.from(digest(given));
	return a.length === b.length && timingSafeEqual(a, b);
}

export async function revokeSocketToken(store: TaskStore, bot: BotRef): Promise<void> {
	await store.putSetting(bot.appid, settingKey(bot.wxid), '');
}
