import { buildUploadAck } from '../protocol/ack';
import type { WeHubAck, WeHubUploadAck } from '../protocol/types';

/** Which WeHub URL a request came to; decides the shape of an answer given before parsing it. */
export type Route = 'callback' | 'upload' | 'media' | 'health' | 'none';

/**
 * The answer when the listener itself refuses a request (too large, not allowed, too busy, bad
 * URL): still WeHub-shaped JSON, with the HTTP status as error_code like the trigger's own acks.
 */
export function refusalAck(
	route: Route,
	status: number,
	reason: string,
): WeHubAck | WeHubUploadAck {
	if (route === 'upload') return buildUploadAck('', status, reason);
	return { error_code: status, error_reason: reason, ack_type: 'common_ack', data: {} };
}
