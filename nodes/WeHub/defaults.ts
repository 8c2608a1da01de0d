/**
 * Every default the package has, in one place: the credential's fields, the nodes' parameters,
 * the settings read from them and the store all take their fallbacks from here, so a default
 * cannot say one thing in the editor and do another at run time. Plain data, no n8n imports.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const MB = 1024 * 1024;

/** The credential's daily-cap fields and the task type each caps (WeChat limits them per day). */
export const DAILY_CAP_FIELDS = {
	capAcceptFriend: 13,
	capAddFriend: 5,
	capCreateRoom: 17,
	capAcceptRoomInvitation: 19,
} as const;

/** The credential's anti-ban limits and retention, in the units its fields use. */
export const STORE_DEFAULTS = {
	dailyCaps: {
		[DAILY_CAP_FIELDS.capAcceptFriend]: 200,
		[DAILY_CAP_FIELDS.capAddFriend]: 200,
		[DAILY_CAP_FIELDS.capCreateRoom]: 20,
		[DAILY_CAP_FIELDS.capAcceptRoomInvitation]: 20,
	} as Record<number, number>,
	minTaskIntervalSeconds: 0,
	lostAfterMinutes: 10,
	retainDays: 7,
	redisPort: 6379,
	redisKeyPrefix: 'wehub:',
} as const;

/** STORE_DEFAULTS in the store's own units (milliseconds). */
export const STORE_LIMIT_DEFAULTS = {
	dailyCaps: STORE_DEFAULTS.dailyCaps,
	minIntervalMs: STORE_DEFAULTS.minTaskIntervalSeconds * 1000,
	lostAfterMs: STORE_DEFAULTS.lostAfterMinutes * MINUTE_MS,
	retainFinishedMs: STORE_DEFAULTS.retainDays * DAY_MS,
};

/** The WeHub Trigger's parameters. */
export const TRIGGER_DEFAULTS = {
	events: ['message'] as string[],
	ignoreOwnMessages: true,
	maxUploadSizeMb: 100,
};

/** The trigger's own listener ("Receive Via: Own Listener"). */
export const LISTENER_DEFAULTS = {
	host: '0.0.0.0',
	port: 5690,
	maxBodyBytes: 32 * MB,
	maxConcurrentRequests: 512,
	maxRunningExecutions: 20,
	/** How long an ack may wait for a free execution slot (WeHub gives up after 30 s). */
	holdAckMs: 25_000,
	headersTimeoutMs: 10_000,
	/** Large uploads on slow links. */
	requestTimeoutMs: 120_000,
	/** Longer than WeHub's poll interval, so polling bots keep their connection. */
	keepAliveTimeoutMs: 65_000,
	shutdownGraceMs: 35_000,
	/** The WebSocket offered to WeHub 0.4.2+ (off unless the trigger's option turns it on). */
	webSocketHeartbeatSeconds: 30,
	maxWebSocketConnections: 20_000,
	/** Pushed tasks a bot may hold without reporting (polling WeHub pulls one at a time). */
	maxPushedTasksInFlight: 1,
	/** Unsent bytes a slow socket may pile up before nothing more is pushed to it. */
	maxSocketBufferedBytes: 16 * MB,
	/** How often connected bots whose queued tasks are held back are looked at again. */
	backlogRecheckMs: 1_000,
	/**
	 * Durable Delivery: an event's lease while its execution runs (renewed every third of it); a
	 * listener takes over entries of a process that died once their lease ran out.
	 */
	inboxLeaseMs: 30_000,
	maxUndeliveredEvents: 10_000,
	undeliveredMaxAgeHours: 24,
};

/** Options every task-queuing operation of the action node offers. */
export const QUEUE_DEFAULTS = {
	expireAfterSeconds: 3600,
	waitTimeoutSeconds: 60,
	/** Media the action node stores for WeHub to download. */
	mediaTtlMinutes: 24 * 60,
	maxMediaBytes: 25 * MB,
};
