import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { WeHubTask } from '../../protocol/types';
import { embeddedStoreQueueWarning, neverPolledMessage } from '../../shared/queueModeStore';
import type { BotRef, EnqueueOptions, TaskStore } from '../../store/TaskStore';
import { buildTask, type FieldLabels } from './buildTask';
import { botFromParameter, openActionContext, type ActionContext } from './context';
import { taskOutput } from './taskOutput';

/** The queue options every task-queuing operation offers (see `queueOptionsField`). */
export interface QueueOptions {
	expireAfterSeconds?: number;
	notBefore?: string;
	waitForResult?: boolean;
	waitTimeoutSeconds?: number;
}

const QUEUED_NOTICE =
	'Queued: WeHub receives the task on its next pull_task. The task store applies daily caps and pacing when it hands tasks out, so a capped or paced task stays queued until it is allowed.';

/**
 * Puts a built task in the bot's queue and returns at once with the record (task_id, state,
 * position), or, with "Wait for Result", once WeHub reports the result or the timeout passes.
 */
export async function queueTask(
	this: IExecuteFunctions,
	itemIndex: number,
	{ settings, store }: ActionContext,
	bot: BotRef,
	task: WeHubTask,
	extra: IDataObject = {},
): Promise<IDataObject> {
	const warning = embeddedStoreQueueWarning(settings);
	if (warning) await refuseUnseenBot.call(this, itemIndex, store, bot, warning);
	const queueModeNote = warning ? { warning } : {};
	const options = this.getNodeParameter('options', itemIndex, {}) as QueueOptions;
	const enqueueOptions = enqueueOptionsFrom.call(this, itemIndex, options);
	const queued = await store.enqueue(bot, task, enqueueOptions);
	if (!options.waitForResult) {
		return {
			...taskOutput(queued),
			position: queued.position,
			...extra,
			...queueModeNote,
			notice: QUEUED_NOTICE,
		};
	}
	const timeoutMs = Math.max(1, options.waitTimeoutSeconds ?? 60) * 1000;
	const current = (await store.waitForResult(bot.appid, queued.task_id, timeoutMs)) ?? queued;
	return { ...taskOutput(current), ...extra, ...queueModeNote };
}

/**
 * Queue mode with the embedded store: a bot that never polled this store is served by a webhook
 * process on another host (or not at all), so a task queued here would wait forever.
 */
async function refuseUnseenBot(
	this: IExecuteFunctions,
	itemIndex: number,
	store: TaskStore,
	bot: BotRef,
	warning: string,
): Promise<void> {
	const presence = await store.getBot(bot);
	if (presence?.last_poll_at !== undefined) return;
	throw new NodeOperationError(this.getNode(), neverPolledMessage(bot.wxid), {
		itemIndex,
		description: warning,
	});
}

function enqueueOptionsFrom(
	this: IExecuteFunctions,
	itemIndex: number,
	options: QueueOptions,
): EnqueueOptions {
	const now = Date.now();
	const result: EnqueueOptions = {
		meta: {
			workflow_id: this.getWorkflow().id,
			execution_id: this.getExecutionId(),
			node: this.getNode().name,
		},
	};
	if (options.expireAfterSeconds !== undefined && options.expireAfterSeconds > 0) {
		result.expiresAt = now + Math.round(options.expireAfterSeconds * 1000);
	}
	if (options.notBefore) {
		const notBefore = Date.parse(options.notBefore);
		if (Number.isNaN(notBefore)) {
			throw new NodeOperationError(
				this.getNode(),
				`Not Before "${options.notBefore}" is not a date`,
				{
					itemIndex,
					description: 'Set Options › Not Before to a date and time, e.g. 2026-11-20T09:00:00',
				},
			);
		}
		result.notBefore = notBefore;
	}
	return result;
}

/**
 * The whole of a task-queuing operation: open the credential's store, check the bot, build the
 * task from the item's parameters (validation errors name the parameter), queue it.
 */
export async function queueTaskFromParameters(
	this: IExecuteFunctions,
	itemIndex: number,
	labels: FieldLabels,
	build: (context: ActionContext, bot: BotRef) => WeHubTask | Promise<WeHubTask>,
	extra: IDataObject = {},
): Promise<IDataObject> {
	const context = await openActionContext.call(this, itemIndex);
	const bot = botFromParameter.call(this, itemIndex, context.settings);
	const task = await buildTask.call(this, itemIndex, labels, async () => await build(context, bot));
	return await queueTask.call(this, itemIndex, context, bot, task, extra);
}
