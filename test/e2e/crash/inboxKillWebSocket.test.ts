import { describeInboxKill } from './inboxKillSuite';

/**
 * Issue 17, "An acknowledged event is never lost", over the WebSocket (WeHub 0.4.2+): 30 bots log
 * in over HTTP, move to the listener's socket, send their pings as frames and get their pongs
 * pushed, no pull_task. n8n is SIGKILLed while pings, executions and pushes are in flight (the
 * sockets break with no close frame), started again, and the bots reconnect with their tokens.
 * Acknowledged events whose executions had not ended come back from the inbox once their lease
 * has run out; a pong queued before the kill is not queued again, one pushed is not pushed again.
 */
describeInboxKill(
	'websocket',
	'n8n killed (SIGKILL) while 30 bots ping over the listener’s WebSocket',
);
