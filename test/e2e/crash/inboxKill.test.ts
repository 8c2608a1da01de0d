import { describeInboxKill } from './inboxKillSuite';

/**
 * Issue 17, "An acknowledged event is never lost", in listener mode over HTTP: 30 bots ping a
 * real n8n 2.40.7 (the trigger's own listener, Durable Delivery on by default, the embedded store
 * in n8n's user folder) and poll for their pongs; n8n is SIGKILLed while pings, executions and
 * polls are in flight and started again. Events acknowledged but not finished come back from the
 * inbox once their 30 s lease has run out (up to ~40 s after the restart), and the Send node's
 * idempotency key keeps a pong queued before the kill from being queued again.
 */
describeInboxKill('http', 'n8n killed (SIGKILL) while 30 bots ping through the listener over HTTP');
