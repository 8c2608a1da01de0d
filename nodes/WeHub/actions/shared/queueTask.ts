import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { QUEUE_DEFAULTS } from '../../defaults';
import type { BotClient } from '../../protocol/tasks';
import type { WeHubTask } from '../../protocol/types';
import { embeddedStoreQueueWarning, neverPolledMessage } from '../../shared/queueModeStore';
import type { WeHubSettings } from '../../shared/settings';
import type {
	BotPresence,
	BotRef,
	EnqueueOptions,
	FileRecord,
	MediaRecord,
	TaskStore,
} from '../../store/TaskStore';
import { botFromParameter, openActionContext, type ActionContext } from './context';
import { executionHints } from './executionHints';
import { withParameterNames, type FieldLabels } from './parameterErrors';
import { taskOutput } from './taskOutput';

/** The queue options every task-queuing operation offers (see `queueOptionsField`). */
export interface QueueOptions {
	expireAfterSeconds?: number;
	notBefore?: string;
	waitForResult?: boolean;
	waitTimeoutSeconds?: number;
}

/**
 * A task built from an item's parameters, with the records WeHub needs in the store to carry it
 * out. They are written only once every check has passed, right before the task is queued.
 */
export interface PreparedTask {
	task: WeHubTask;
	/** Binary data WeHub downloads from the WeHub Trigger's media URL. */
	media?: MediaRecord[];
	/** Files marked requested, so that the WeHub Trigger takes their upload. */
	files?: FileRecord[];
}

/** What building a task may use of the store: its lookups, none of its writes. */
export type StoreLookups = Pick<TaskStore, 'getFile' | 'getFriendRequest' | 'getSetting'>;

export interface BuildContext {
	settings: WeHubSettings;
	store: StoreLookups;
}

/** Builds the task (or throws what is wrong with the parameters); writes nothing. */
export type BuildTask = (
	context: BuildContext,
	bot: BotRef,
	client: BotClient,
) => WeHubTask | PreparedTask | Promise<WeHubTask | PreparedTask>;

/**
 * The whole of a task-queuing operation: open the credential's store, check the bot and the
 * queue options, build the task from the item's parameters (validation errors name the
 * parameter), then write what it needs and queue it. Nothing is written before every check has
 * passed, so a refused item leaves the store as it was. Returns at once with the record (task_id,
 * state, position), or, with "Wait for Result", once WeHub reports the result or the timeout
 * passes.
 */
export async function queueTaskFromParameters(
	this: IExecuteFunctions,
	itemIndex: number,
	labels: FieldLabels,
	build: BuildTask,
	extra: IDataObject = {},
): Promise<IDataObject> {
	const context = await openActionContext.call(this, itemIndex);
	const bot = botFromParameter.call(this, itemIndex, context.settings);
	const options = this.getNodeParameter('options', itemIndex, {}) as QueueOptions;
	const enqueueOptions = enqueueOptionsFrom.call(this, itemIndex, options);
	const presence = await checkBotCanBeReached.call(this, itemIndex, context, bot);
	// Builders refuse what the bot's known client predates (tasks 14-19, 100, 101, ...).
	const client: BotClient = { clientVersion: presence?.client_version };
	const built = await buildWithParameterNames.call(
		this,
		itemIndex,
		labels,
		async () => await build(context, bot, client),
	);
	const { task, media = [], files = [] } = 'task' in built ? built : { task: built };

	// Every check has passed: the records the task needs first, then the task.
	for (const record of media) await context.store.putMedia(record);
	await context.store.rememberFiles(files);
	const queued = await context.store.enqueue(bot, task, enqueueOptions);
	if (queued.existing) {
		executionHints(this).add(
			'A replayed event: its task was already queued by the execution that n8n did not finish, so it was not queued again (existing: true).',
		);
	}
	if (!options.waitForResult) return { ...taskOutput(queued), position: queued.position, ...extra };
	const timeoutSeconds = options.waitTimeoutSeconds ?? QUEUE_DEFAULTS.waitTimeoutSeconds;
	const timeoutMs = Math.max(1, timeoutSeconds) * 1000;
	const current =
		(await context.store.waitForResult(bot.appid, queued.task_id, timeoutMs)) ?? queued;
	return { ...taskOutput(current), ...extra };
}

const buildWithParameterNames = withParameterNames<WeHubTask | PreparedTask>;

/**
 * A bot this store has never heard from still gets its task (it may log in later), but the run
 * says so: otherwise a green run hides a task that waits for nobody until it expires. In queue
 * mode with the embedded store such a bot is refused, since WeHub polls another host's store.
 */
async function checkBotCanBeReached(
	this: IExecuteFunctions,
	itemIndex: number,
	{ settings, store }: ActionContext,
	bot: BotRef,
): Promise<BotPresence | null> {
	const presence = await store.getBot(bot);
	const queueModeWarning = embeddedStoreQueueWarning(settings);
	if (queueModeWarning) {
		if (presence?.last_poll_at === undefined) {
			throw new NodeOperationError(this.getNode(), neverPolledMessage(bot.wxid), {
				itemIndex,
				description: queueModeWarning,
			});
		}
		executionHints(this).add(queueModeWarning, 'warning');
	}
	if (!presence) {
		executionHints(this).add(
			`Bot ${bot.wxid} has never logged in or polled through App ID ${bot.appid}: its tasks wait until it does, and expire meanwhile (Options › Expire After). Resource Bot › Get Many lists the bots this App ID knows.`,
			'warning',
		);
	} else if (!presence.online) {
		executionHints(this).add(
			`Bot ${bot.wxid} is logged out: its tasks wait until it logs in again, and expire meanwhile (Options › Expire After).`,
			'warning',
		);
	}
	return presence;
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
	// An item of the WeHub Trigger's Durable Delivery: a replay of its execution (n8n died before
	// it ended) must not send again, so the task is queued once per event, node and item.
	const deliveryId = this.getInputData()[itemIndex]?.json?.delivery_id;
	if (typeof deliveryId === 'string' && deliveryId !== '') {
		result.idempotencyKey = `${deliveryId}/${this.getNode().name}/${itemIndex}`;
		result.meta!.delivery_id = deliveryId;
	}
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
