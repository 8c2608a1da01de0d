import type { WeHubAck, WeHubUploadAck } from './types';
import type { RequestError } from './request';
import { usesCommonAck } from './version';

/** Actions that keep their own ack type on every client version. */
const OWN_ACK_ACTIONS: ReadonlySet<string> = new Set(['login', 'logout', 'pull_task']);
/**
 * The 0.1.5 document answers these with `data.reply_task_list`, "empty when there is no task to
 * reply with"; later clients read it from any common_ack, where it is optional.
 */
const REPLY_TASK_LIST_ACTIONS: ReadonlySet<string> = new Set([
	'report_new_msg',
	'report_new_friend',
]);
/**
 * How much of an action name an `<action>_ack` repeats. Real names are under 30 characters; an
 * unknown action's name is the sender's text, and a megabyte of it must not make a megabyte answer.
 */
export const MAX_ECHOED_ACTION_LENGTH = 64;

/** `<action>_ack` for 0.1.x (and unknown) clients; `common_ack` from 0.2.0 except login/logout/pull_task. */
export function ackTypeFor(action: string, clientVersion?: string): string {
	if (OWN_ACK_ACTIONS.has(action) || !usesCommonAck(clientVersion)) {
		return `${action.slice(0, MAX_ECHOED_ACTION_LENGTH)}_ack`;
	}
	return 'common_ack';
}

export interface AckOptions<D extends object = Record<string, unknown>> {
	errorCode?: number;
	errorReason?: string;
	data?: D;
}

/**
 * An answer with every field WeHub requires. `data` defaults to `{}`, or to the empty
 * `reply_task_list` a 0.1.x client expects in the answer to report_new_msg and report_new_friend.
 */
export function buildAck<D extends object = Record<string, unknown>>(
	action: string,
	clientVersion: string | undefined,
	options: AckOptions<D> = {},
): WeHubAck<D> {
	const ackType = ackTypeFor(action, clientVersion);
	return {
		error_code: options.errorCode ?? 0,
		error_reason: options.errorReason ?? '',
		ack_type: ackType,
		data: options.data ?? (defaultData(action, ackType) as D),
	};
}

function defaultData(action: string, ackType: string): Record<string, unknown> {
	return ackType !== 'common_ack' && REPLY_TASK_LIST_ACTIONS.has(action)
		? { reply_task_list: [] }
		: {};
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
 * sockets inside it). `error_code` carries the HTTP-like status (400 = malformed, 413 = too many
 * units) so WeHub's log says what kind of failure it was; the HTTP status itself stays 200, since
 * WeHub only shows `error_reason` from answers it reads. `common_ack` when not even the action was
 * readable.
 */
export function buildErrorAck(error: RequestError, clientVersion?: string): WeHubAck {
	if (!error.action) {
		return {
			error_code: error.httpStatus,
			error_reason: error.reason,
			ack_type: 'common_ack',
			data: {},
		};
	}
	return buildAck(error.action, clientVersion, {
		errorCode: error.httpStatus,
		errorReason: error.reason,
	});
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
