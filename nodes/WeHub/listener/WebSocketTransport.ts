import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { versionAtLeast } from '../protocol/version';
import type { ExtensionProtocol, WeHubAck } from '../protocol/types';
import { errorMessage } from '../shared/errorMessage';
import type { BotRef, TaskStore } from '../store/TaskStore';
import type { WebSocketOffer } from '../trigger/handleCallback';
import { BotSockets } from './BotSockets';
import type { WebSocketConfig } from './ListenerConfig';
import { issueSocketToken, revokeSocketToken, socketTokenMatches } from './socketTokens';
import type { ListenerLog } from './WeHubListener';

/** The first WeHub client that can follow `extension_protocol` (PROTOCOL.md, WebSocket transport). */
export const WEBSOCKET_SINCE = '0.4.2';

/**
 * The listener's WebSocket for WeHub 0.4.2+: what a login is offered (a `ws_url` with a fresh
 * per-login token), the sockets bots open with it, and the store's wake-ups that push tasks to
 * them. HTTP callbacks, uploads and media stay on the listener's HTTP routes.
 */
export class WebSocketTransport implements WebSocketOffer {
	private readonly sockets: BotSockets;
	private stopWatching?: () => void;

	constructor(
		private readonly config: WebSocketConfig,
		readonly appid: string,
		private readonly store: () => Promise<TaskStore>,
		answerFrame: (frame: Buffer, bot: BotRef) => Promise<WeHubAck>,
		lostAfterMs: number,
		maxFrameBytes: number,
		private readonly log: ListenerLog,
	) {
		this.sockets = new BotSockets(
			{
				verifyToken: async (bot, token) => await socketTokenMatches(await store(), bot, token),
				answer: answerFrame,
				handOut: async (bot) => await (await store()).handOut(bot),
				queueDepth: async (bot) => (await (await store()).getBot(bot))?.queue_depth ?? 0,
				seen: async (bot) => await (await store()).recordHeartbeat(bot),
				gone: async (bot) => await (await store()).recordSocketClosed(bot),
			},
			{
				heartbeatMs: config.heartbeatSeconds * 1000,
				maxConnections: config.maxConnections,
				maxFrameBytes,
				maxTasksInFlight: config.maxPushedTasksInFlight,
				lostAfterMs,
				maxBufferedBytes: config.maxBufferedBytes,
				backlogRecheckMs: config.backlogRecheckMs,
			},
			log,
		);
		void store()
			.then((opened) => {
				this.stopWatching = opened.watchQueued((bot) => this.sockets.wake(bot));
			})
			.catch((error: unknown) =>
				this.log('error', `WeHub WebSocket: no wake-ups, the store failed: ${errorMessage(error)}`),
			);
	}

	get connectedBots(): number {
		return this.sockets.size;
	}

	async offer(
		bot: BotRef,
		clientVersion: string | undefined,
	): Promise<ExtensionProtocol | undefined> {
		if (!versionAtLeast(clientVersion, WEBSOCKET_SINCE)) return undefined;
		const token = await issueSocketToken(await this.store(), bot);
		const query = `wxid=${encodeURIComponent(bot.wxid)}&token=${token}`;
		return {
			type: 'websocket',
			param: {
				ws_url: `${this.config.url}?${query}`,
				heartbeat_interval: this.config.heartbeatSeconds,
			},
		};
	}

	async forget(bot: BotRef): Promise<void> {
		await revokeSocketToken(await this.store(), bot);
	}

	async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
		await this.sockets.upgrade(req, socket, head, this.appid);
	}

	/** In-flight frames are answered, then the sockets close with 1001 so WeHub reconnects. */
	async close(graceMs: number): Promise<void> {
		this.stopWatching?.();
		await this.sockets.close(graceMs);
	}
}
