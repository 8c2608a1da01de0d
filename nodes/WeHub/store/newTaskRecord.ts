import type { WeHubTask } from '../protocol/types';
import type { BotRef, EnqueueOptions, TaskRecord } from './TaskStore';
import { newTaskId } from './taskId';

/** The record every backend writes on enqueue: queued, with only the options that were given. */
export function newTaskRecord(bot: BotRef, task: WeHubTask, options: EnqueueOptions): TaskRecord {
	return {
		task_id: newTaskId(),
		appid: bot.appid,
		bot_wxid: bot.wxid,
		task,
		state: 'queued',
		created_at: options.now ?? Date.now(),
		...(options.notBefore !== undefined && { not_before: options.notBefore }),
		...(options.expiresAt !== undefined && { expires_at: options.expiresAt }),
		...(options.meta !== undefined && { meta: options.meta }),
		...(options.idempotencyKey !== undefined && { idempotency_key: options.idempotencyKey }),
	};
}
