import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import { QUEUE_DEFAULTS } from '../../defaults';
import { sendMessageTask } from '../../protocol/tasks';
import { versionAtLeast } from '../../protocol/version';
import { executionHints } from '../shared/executionHints';
import type { FieldLabels } from '../shared/parameterErrors';
import { botWxidField, queueOptionsField, withToolDefaults } from '../shared/fields';
import { wxidListParameter } from '../shared/parameters';
import { queueTaskFromParameters, type QueueOptions } from '../shared/queueTask';
import { sendOptions, unitFields } from './fields';
import { sendTarget } from './target';
import { buildUnits, type UnitParameters } from './units';

const displayOptions = { show: { resource: ['message'], operation: ['send'] } };

interface SendOptions extends QueueOptions {
	mediaBaseUrl?: string;
	mediaTtlMinutes?: number;
	mentionPlaceholders?: boolean;
}

/**
 * On the WeHub Tool (under an AI Agent) the model names the chat and writes the text: the tool runs
 * on the model's arguments, not on a WeHub Trigger item, so there is no reply_to to answer. Written
 * as n8n's editor writes "Defined automatically by the model" (its marker comment), so the editor
 * shows them that way, with the description to edit.
 */
const TOOL_DEFAULTS = {
	sendTo: { default: 'wxid' },
	toWxid: {
		default:
			"={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('to_wxid', `Where to send the WeChat message: a room ID (ends in @chatroom) or the wxid of a person`, 'string') }}",
	},
	messages: {
		default: {
			unit: [
				{
					type: 'text',
					text: "={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('text', `The text of the WeChat message; WeChat emoji as [微笑]-style codes`, 'string') }}",
				},
			],
		},
	},
};

export const description: INodeProperties[] = withToolDefaults(TOOL_DEFAULTS, [
	botWxidField(displayOptions),
	{
		displayName: 'Send To',
		name: 'sendTo',
		type: 'options',
		options: [
			{ name: 'Room or Person', value: 'wxid', description: 'A room ID or a person’s wxid' },
			{
				name: 'Same Chat as Input Item',
				value: 'sameChat',
				description:
					'The room of a room message, or the sender of a private one (reply_to on WeHub Trigger items)',
			},
		],
		default: 'sameChat',
		displayOptions,
	},
	{
		displayName: 'Room or Person ID',
		name: 'toWxid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 12345678901@chatroom',
		description: 'A room (ends in @chatroom) or a person’s wxid',
		displayOptions: { show: { ...displayOptions.show, sendTo: ['wxid'] } },
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Message',
		default: { unit: [{ type: 'text', text: '' }] },
		description: 'Sent in this order, as one task',
		options: [{ displayName: 'Message', name: 'unit', values: unitFields }],
		displayOptions,
	},
	{
		displayName: 'Mention WeChat IDs',
		name: 'mentions',
		type: 'string',
		default: '',
		placeholder: 'e.g. wxid_abc123, wxid_def456',
		description:
			'Room members to @, separated by commas (rooms only; WeHub 0.1.x mentions one person per message)',
		displayOptions,
	},
	queueOptionsField(displayOptions, sendOptions()),
]);

/**
 * Task 1. Its shape follows the bot's client version as recorded at login: 0.1.x fields, 0.2+
 * fields, or both while the version is unknown (each client reads the fields it knows).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const options = this.getNodeParameter('options', itemIndex, {}) as SendOptions;
	const shape: IDataObject = {};
	const labels: FieldLabels = { msg_list: 'Messages', at_list: 'Mention WeChat IDs' };
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		labels,
		async ({ store }, bot, { clientVersion }) => {
			const target = sendTarget.call(this, itemIndex, bot);
			// The target may come from the input item: errors name where it came from.
			labels.wxid_to = target.label;
			shape.client_version = clientVersion ?? null;
			if (!clientVersion) {
				executionHints(this).add(
					`The WeHub version of bot ${bot.wxid} is unknown (no login seen by a WeHub Trigger with this credential): the task carries the fields of WeHub 0.1.x and of 0.2+ alike.`,
				);
			}

			const atList = wxidListParameter.call(this, 'mentions', itemIndex);
			if (options.mentionPlaceholders && !versionAtLeast(clientVersion, '0.4.2')) {
				throw new NodeOperationError(
					this.getNode(),
					`Mention Placeholders need WeHub 0.4.2 or later; bot ${bot.wxid} runs ${clientVersion ?? 'an unknown version (it has not logged in through the WeHub Trigger yet)'}`,
					{
						itemIndex,
						description:
							'Turn off Options › Mention Placeholders, or update the bot’s WeHub client',
					},
				);
			}
			const entries =
				(this.getNodeParameter('messages.unit', itemIndex, []) as UnitParameters[]) ?? [];
			const { units, media } = await buildUnits.call(this, itemIndex, entries, {
				store,
				appid: bot.appid,
				clientVersion,
				mediaBaseUrl: options.mediaBaseUrl,
				mediaTtlMinutes: options.mediaTtlMinutes ?? QUEUE_DEFAULTS.mediaTtlMinutes,
				availableFrom: options.notBefore ? Date.parse(options.notBefore) || Date.now() : Date.now(),
			});
			const task = sendMessageTask(target.wxid, units, {
				atList,
				atStyle: options.mentionPlaceholders === true,
				clientVersion,
			});
			// Binary data is stored only now that the whole task is valid, right before it is queued.
			return { task, media };
		},
		shape,
	);
}
