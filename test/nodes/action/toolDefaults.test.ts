import {
	NodeHelpers,
	traverseNodeParameters,
	type FromAIArgument,
	type INode,
	type INodeParameters,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { WeHub } from '../../../nodes/WeHub/WeHub.node';

/**
 * n8n offers the WeHub node to AI Agents as "WeHub Tool": the same properties under a type name
 * ending in Tool. Parameters are resolved here with n8n-workflow's own getNodeParameters, as n8n
 * does when it loads a workflow to run it (defaults filled in) and when the editor saves a node
 * (defaults dropped).
 */
const base = new WeHub().description;
const variants: Record<'node' | 'tool', INodeTypeDescription> = {
	node: base,
	// What n8n's convertNodeToAiTool changes that display options can see: the name.
	tool: { ...base, name: `${base.name}Tool` },
};

const node = (parameters: INodeParameters): INode => ({
	id: 'wehub-1',
	name: 'WeHub',
	type: 'n8n-nodes-wehub.weHub',
	typeVersion: 1,
	position: [0, 0],
	parameters,
});

/** The parameters n8n runs with, for parameters as a saved workflow holds them. */
function resolved(variant: 'node' | 'tool', saved: INodeParameters): INodeParameters {
	const description = variants[variant];
	return NodeHelpers.getNodeParameters(
		description.properties,
		saved,
		true,
		false,
		node(saved),
		description,
	) as INodeParameters;
}

/** What the editor saves: only the parameters that differ from their defaults. */
function saved(variant: 'node' | 'tool', parameters: INodeParameters): INodeParameters {
	const description = variants[variant];
	return NodeHelpers.getNodeParameters(
		description.properties,
		parameters,
		false,
		false,
		node(parameters),
		description,
	) as INodeParameters;
}

const SEND = { resource: 'message', operation: 'send' };
/** As n8n's editor writes a parameter "Defined automatically by the model". */
const fromAI = (key: string, description: string) =>
	`={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('${key}', \`${description}\`, 'string') }}`;
const TO_WXID_FROM_AI = fromAI(
	'to_wxid',
	'Where to send the WeChat message: a room ID (ends in @chatroom) or the wxid of a person',
);
const TEXT_FROM_AI = fromAI(
	'text',
	'The text of the WeChat message; WeChat emoji as [微笑]-style codes',
);

describe('WeHub node and WeHub Tool defaults', () => {
	it('the normal node keeps answering the input item: its bot, Same Chat, an empty text', () => {
		const parameters = resolved('node', SEND);

		expect(parameters).toMatchObject({
			botWxid: '={{ $json.bot_wxid }}',
			sendTo: 'sameChat',
			messages: { unit: [{ type: 'text', text: '' }] },
		});
		expect(parameters).not.toHaveProperty('toWxid');
	});

	it('the tool lets the model name the chat and write the text, and asks for the bot once', () => {
		expect(resolved('tool', SEND)).toMatchObject({
			botWxid: '',
			sendTo: 'wxid',
			toWxid: TO_WXID_FROM_AI,
			messages: { unit: [{ type: 'text', text: TEXT_FROM_AI }] },
		});
	});

	it('the tool describes both arguments for the model, as n8n builds its schema', () => {
		const collected: FromAIArgument[] = [];
		traverseNodeParameters(resolved('tool', SEND), collected);

		expect(collected).toEqual([
			{
				key: 'to_wxid',
				description:
					'Where to send the WeChat message: a room ID (ends in @chatroom) or the wxid of a person',
				type: 'string',
			},
			{
				key: 'text',
				description: 'The text of the WeChat message; WeChat emoji as [微笑]-style codes',
				type: 'string',
			},
		]);
	});

	it.each(['node', 'tool'] as const)(
		'%s: defaults survive the editor dropping them on save',
		(variant) => {
			const defaults = resolved(variant, SEND);
			const stored = saved(variant, defaults);

			expect(stored).not.toHaveProperty('sendTo');
			expect(stored).not.toHaveProperty('botWxid');
			expect(resolved(variant, stored)).toEqual(defaults);
		},
	);

	it('the tool as n8n 2.40.7’s editor saves it, just added under an agent, runs with them', () => {
		const savedByEditor = { messages: { unit: [{ text: TEXT_FROM_AI }] }, options: {} };

		expect(resolved('tool', savedByEditor)).toMatchObject({
			resource: 'message',
			operation: 'send',
			botWxid: '',
			sendTo: 'wxid',
			toWxid: TO_WXID_FROM_AI,
			messages: { unit: [{ type: 'text', text: TEXT_FROM_AI }] },
		});
	});

	it('values set on the tool are kept (a fixed bot, Same Chat)', () => {
		const parameters = resolved('tool', { ...SEND, botWxid: 'wxid_bot123', sendTo: 'sameChat' });

		expect(parameters).toMatchObject({ botWxid: 'wxid_bot123', sendTo: 'sameChat' });
		expect(parameters).not.toHaveProperty('toWxid');
	});

	it('every operation with a Bot WeChat ID starts with an empty one on the tool', () => {
		const rename = { resource: 'room', operation: 'rename' };

		expect(resolved('node', rename).botWxid).toBe('={{ $json.bot_wxid }}');
		expect(resolved('tool', rename).botWxid).toBe('');
	});
});
