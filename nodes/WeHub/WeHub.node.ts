import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { resourceProperties } from './actions/resources';
import { router } from './actions/router';
import { TOOL_BOT_WXID, withToolDefaults } from './actions/shared/fields';
import { testWeHubCredential, WEHUB_CREDENTIAL_TEST } from './shared/credentialTest';

/**
 * Queues WeHub tasks (messages, room and contact management, transfers, uploads) for the bot
 * to pull, and reads the task store (tasks, bots). The description is assembled from actions/.
 */
export class WeHub implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeHub',
		name: 'weHub',
		icon: { light: 'file:wehub.svg', dark: 'file:wehub.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		// The same as WeHub Trigger's: n8n's node picker shows both nodes as one "WeHub" entry, with
		// the trigger's description, in "What triggers this workflow?" and "What happens next?" alike.
		description: 'Send and receive WeChat messages and manage rooms and contacts through WeHub',
		defaults: { name: 'WeHub' },
		// n8n derives "WeHub Tool" for AI Agents from this. `replacements` reach only the editor's copy
		// of the tool (its picker entry and the default of its manual Description); its parameter
		// defaults (the model picks the chat and writes the text) come from `@tool` display options,
		// which hold at run time too: see withToolDefaults.
		usableAsTool: {
			replacements: {
				description:
					'Send WeChat messages and manage rooms and contacts through WeHub; each call queues a task that WeHub carries out when the bot next polls',
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weHubApi', required: true, testedBy: 'weHubApiTest' }],
		properties: withToolDefaults({ botWxid: TOOL_BOT_WXID }, resourceProperties),
	};

	methods = {
		credentialTest: { [WEHUB_CREDENTIAL_TEST]: testWeHubCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
