import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { QUEUE_DEFAULTS } from '../../defaults';

/**
 * Fields several operations share. Each operation puts them in its own description with its own
 * `displayOptions`, so a field appears exactly where the operation is chosen.
 */

export function botWxidField(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Bot WeChat ID',
		name: 'botWxid',
		type: 'string',
		required: true,
		default: '={{ $json.bot_wxid }}',
		placeholder: 'e.g. wxid_bot123',
		description:
			'The logged-in WeChat account (wxid) that carries out the task. Items from the WeHub Trigger carry it as bot_wxid.',
		displayOptions,
	};
}

/**
 * Parameters with other defaults on the WeHub Tool, the variant of this node that n8n offers to an
 * AI Agent (`usableAsTool`). Each property named in `onTool` comes out twice: as given, hidden on
 * the tool, and with `onTool[name]` applied, shown only on the tool. n8n names that variant
 * `weHubTool`, and `@tool` in displayOptions is true for it in the editor and at run time alike.
 * (`usableAsTool.replacements` would not do: n8n 2.40.7 applies them to the descriptions the editor
 * loads, not to the node type that runs, and the editor saves no parameter that equals its default,
 * so a default set there would become the normal node's default at run time.)
 */
export function withToolDefaults(
	onTool: Record<string, Partial<INodeProperties>>,
	properties: INodeProperties[],
): INodeProperties[] {
	return properties.flatMap((property) => {
		const overrides = onTool[property.name];
		if (!overrides) return [property];
		// n8n reads every key of displayOptions as a rule: no `show: undefined`.
		const displayOptions = property.displayOptions ?? {};
		const { hide, show } = displayOptions;
		return [
			{ ...property, displayOptions: { ...displayOptions, hide: { ...hide, '@tool': [true] } } },
			{
				...property,
				...overrides,
				displayOptions: { ...displayOptions, show: { ...show, '@tool': [true] } },
			},
		];
	});
}

/**
 * Bot WeChat ID on the WeHub Tool: empty, to be set once. `{{ $json.bot_wxid }}` resolves to
 * nothing when the agent was started from a chat, and the model cannot know the bot's wxid.
 */
export const TOOL_BOT_WXID: Partial<INodeProperties> = {
	default: '',
	description:
		'The logged-in WeChat account (wxid) the tool acts as. An agent started from a chat has no bot_wxid to read; under an agent started by the WeHub Trigger, {{ $json.bot_wxid }} is the bot that received the message.',
};

export function roomWxidField(
	displayOptions: IDisplayOptions,
	description = 'The room (group chat), e.g. from the WeHub Trigger item’s room_wxid',
): INodeProperties {
	return {
		displayName: 'Room ID',
		name: 'roomWxid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 12345678901@chatroom',
		description,
		displayOptions,
	};
}

export function personWxidField(
	displayOptions: IDisplayOptions,
	overrides: Partial<INodeProperties> = {},
): INodeProperties {
	return {
		displayName: 'Contact WeChat ID',
		name: 'wxid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. wxid_abc123',
		description: 'The person’s wxid (or custom WeChat ID chosen at sign-up)',
		displayOptions,
		...overrides,
	};
}

export function taskIdField(displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '={{ $json.task_id }}',
		placeholder: 'e.g. 01J9Z3K4TQ8W2X5Y6Z7A8B9C0D',
		description: 'The task_id returned when the task was queued',
		displayOptions,
	};
}

/** The "Options" collection of every operation that queues a task. */
export function queueOptionsField(
	displayOptions: IDisplayOptions,
	extraOptions: INodeProperties[] = [],
): INodeProperties {
	const options: INodeProperties[] = [
		{
			displayName: 'Expire After (Seconds)',
			name: 'expireAfterSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: QUEUE_DEFAULTS.expireAfterSeconds,
			description:
				'Drop the task (state expired) when WeHub has not pulled it within this time, e.g. because the bot is offline',
		},
		{
			displayName: 'Not Before',
			name: 'notBefore',
			type: 'dateTime',
			default: '',
			description: 'Keep the task queued until this time',
		},
		{
			displayName: 'Wait for Result',
			name: 'waitForResult',
			type: 'boolean',
			default: false,
			description:
				'Whether to wait until WeHub reports the task result, then output the finished task so the workflow can branch on success',
		},
		{
			displayName: 'Wait Timeout (Seconds)',
			name: 'waitTimeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: QUEUE_DEFAULTS.waitTimeoutSeconds,
			description:
				'How long to wait for the result; at the timeout the task is output in its current state',
			displayOptions: { show: { waitForResult: [true] } },
		},
		...extraOptions,
	];
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions,
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

const DEFAULT_LIMIT = 50;

/** n8n's "Return All" / "Limit" pair of a Get Many operation. */
export function returnAllFields(displayOptions: IDisplayOptions): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions,
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_LIMIT,
			description: 'Max number of results to return',
			displayOptions: { show: { ...displayOptions.show, returnAll: [false] } },
		},
	];
}

/** The Limit a Get Many operation applies; undefined with Return All. */
export function limitParameter(this: IExecuteFunctions, itemIndex: number): number | undefined {
	if (this.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	return this.getNodeParameter('limit', itemIndex, DEFAULT_LIMIT) as number;
}
