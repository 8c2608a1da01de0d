import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

import { buildUploadAck } from '../protocol/ack';
import type { WeHubAck, WeHubUploadAck } from '../protocol/types';

/** What every JSON answer of the listener is sent as. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** Which WeHub URL a request came to; decides the shape of an answer given before parsing it. */
export type Route = 'callback' | 'upload' | 'media' | 'health' | 'none';

/**
 * The answer when the listener itself refuses a request (too large, not allowed, too busy, bad
 * URL): still WeHub-shaped JSON, with the HTTP-like status as error_code like the trigger's own acks.
 */
export function refusalAck(
	route: Route,
	status: number,
	reason: string,
): WeHubAck | WeHubUploadAck {
	if (route === 'upload') return buildUploadAck('', status, reason);
	return { error_code: status, error_reason: reason, ack_type: 'common_ack', data: {} };
}

/**
 * The HTTP status of such a refusal. WeHub reads `error_reason` only from an HTTP 200, so the
 * callback and upload URLs answer 200 whatever went wrong. The others keep theirs: a health check
 * is read by monitors and load balancers by its status, a media URL is downloaded by WeHub as a
 * file (a 200 JSON would be sent to WeChat as the image), and an unknown URL is not WeHub's.
 */
export function refusalStatus(route: Route, status: number): number {
	return route === 'callback' || route === 'upload' ? 200 : status;
}

/**
 * A refusal written straight to a socket that has no HTTP response object (a refused WebSocket
 * upgrade, a request Node's parser rejected): the status line, a JSON ack, and the connection closed.
 */
export function endSocketWithRefusal(socket: Duplex, status: number, reason: string): void {
	const body = JSON.stringify(refusalAck('none', status, reason));
	socket.end(
		`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${JSON_TYPE}\r\n` +
			`content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
	);
}
