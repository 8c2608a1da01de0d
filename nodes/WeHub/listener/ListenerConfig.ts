import { LISTENER_DEFAULTS } from '../defaults';
import type { InboxConfig } from '../trigger/inbox';

/** How the own listener binds and protects itself; plain data, read from the node's parameters. */
export interface ListenerConfig {
	/** Interface to bind: `0.0.0.0` (every IPv4 interface), `::`, or one address. */
	host: string;
	port: number;
	/** Callback path without slashes, as in webhook mode (`wehub` -> `POST /wehub`). */
	path: string;
	/** Client addresses or CIDR ranges allowed to connect; empty = everyone. */
	allowedIps: string[];
	/** Largest callback body; report_contact can exceed 10 MB. Uploads use the trigger's own limit. */
	maxBodyBytes: number;
	/** Requests being answered at once (held acks included); beyond it: 503 ack. */
	maxConcurrentRequests: number;
	/** Executions of the active workflow running at once; 0 = no limit (emit without waiting). */
	maxRunningExecutions: number;
	/** How long an ack may wait for a free execution slot (WeHub gives up after 30 s). */
	holdAckMs: number;
	/** Time to receive all request headers. */
	headersTimeoutMs: number;
	/** Time to receive a whole request, body included (large uploads on slow links). */
	requestTimeoutMs: number;
	/** Idle keep-alive sockets are kept this long (longer than WeHub's poll interval). */
	keepAliveTimeoutMs: number;
	/** On shutdown, answers still running after this long are cut off. */
	shutdownGraceMs: number;
	/** The WebSocket for WeHub 0.4.2+ clients; undefined: not offered, every client polls. */
	webSocket?: WebSocketConfig;
	/** Durable Delivery: events kept until their execution ends (the active workflow only). */
	inbox?: Omit<InboxConfig, 'holder'>;
}

export interface WebSocketConfig {
	/** `ws://host:port/<path>/ws` (or wss:// behind TLS) as WeHub reaches it. */
	url: string;
	heartbeatSeconds: number;
	maxConnections: number;
	maxPushedTasksInFlight: number;
	maxBufferedBytes: number;
	backlogRecheckMs: number;
}

export const DEFAULT_LISTENER_PORT = LISTENER_DEFAULTS.port;

const {
	host: _host,
	port: _port,
	webSocketHeartbeatSeconds: _heartbeat,
	maxWebSocketConnections: _connections,
	maxPushedTasksInFlight: _inFlight,
	maxSocketBufferedBytes: _buffered,
	backlogRecheckMs: _recheck,
	inboxLeaseMs: _lease,
	maxUndeliveredEvents: _maxEvents,
	undeliveredMaxAgeHours: _maxAge,
	...limits
} = LISTENER_DEFAULTS;
export const DEFAULT_LISTENER_CONFIG: Omit<ListenerConfig, 'host' | 'port' | 'path'> = {
	allowedIps: [],
	...limits,
};

/** `/wehub/` -> `wehub`; the listener matches paths without leading or trailing slashes. */
export function normalisePath(path: string): string {
	return path.trim().replace(/^\/+|\/+$/g, '');
}

/** `host:port`, the key of the per-process listener registry (IPv6 in brackets). */
export function addressOf(config: Pick<ListenerConfig, 'host' | 'port'>): string {
	return config.host.includes(':')
		? `[${config.host}]:${config.port}`
		: `${config.host}:${config.port}`;
}
