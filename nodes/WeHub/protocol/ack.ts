import type { WeHubAck, WeHubUploadAck } from './types';
import type { RequestError } from './request';
import { usesCommonAck } from './version';

/** Actions that keep their own ack type on every client version. */
const OWN_ACK_ACTIONS: ReadonlySet<string> = new Set(['login', 'logout', 'pull_task']);

/** `<action>_ack` for 0.1.x (and unknown) clients; `common_ack` from 0.2.0 except login/logout/pull_task. */
export function ackTypeFor(action: string, clientVersion?: string): string {
	if (OWN_ACK_ACTIONS.has(action) || !usesCommonAck(clientVersion)) return `${action}_ack`;
	return 'common_ack';
}

export interface AckOptions<D extends object = Record<string, unknown>> {
	errorCode?: number;
	errorReason?: string;
	data?: D;
}

/** An answer with every field WeHub requires; `data` defaults to `{}`. */
export function buildAck<D extends object = Record<string, unknown>>(
	action: string,
	clientVersion: string | undefined,
	options: AckOptions<D> = {},
): WeHubAck<D> {
	return {
		error_code: options.errorCode ?? 0,
		error_reason: options.errorReason ?? '',
		ack_type: ackTypeFor(action, clientVersion),
		data: options.data ?? ({} as D),
	};
}

/** The report_task_result answer, which echoes the task id. */
export function buildTaskResultAck(
	taskId: string,
	clientVersion: string | undefined,
	options: Omit<AckOptions, 'data'> = {},
): WeHubAck<{ task_id: string }> {
	return buildAck('report_task_result', clientVersion, { ...options, data: { task_id: taskId } });
}

/**
 * The answer to a request that did not parse. WeHub needs an answer even then (a missing one leaks
 * sockets inside it). `error_code` carries the HTTP-like status (400 = malformed) so logs on the
 * WeHub side say what kind of failure it was; `common_ack` when not even the action was readable.
 */
export function buildErrorAck(error: RequestError, clientVersion?: string): WeHubAck {
	return {
		error_code: error.httpStatus,
		error_reason: error.reason,
		ack_type: error.action ? ackTypeFor(error.action, clientVersion) : 'common_ack',
		data: {},
	};
}

/** The upload URL's answer; `data: {}` is not in the spec but keeps every answer the same shape. */
export function buildUploadAck(fileIndex: string, errorCode = 0, errorReason = ''): WeHubUploadAck {
	return {
		error_code: errorCode,
		error_reason: errorReason,
		ack_type: 'upload_file_ack',
		file_index: fileIndex,
		data: {},
	};
}
