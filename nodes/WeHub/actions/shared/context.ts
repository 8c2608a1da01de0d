import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { openStoreFor, settingsFromCredential, type WeHubSettings } from '../../shared/settings';
import type { BotRef, TaskStore } from '../../store/TaskStore';

/** What every operation works with: the credential's settings and its task store. */
export interface ActionContext {
	settings: WeHubSettings;
	store: TaskStore;
}

export async function openActionContext(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<ActionContext> {
	const credential = await this.getCredentials('weHubApi', itemIndex);
	let settings: WeHubSettings;
	try {
		settings = settingsFromCredential(credential);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error, {
			itemIndex,
			description: 'Complete the WeHub API credential',
		});
	}
	// openTaskStore shares one instance per process and config, so this is cheap per item.
	const store = await openStoreFor(settings);
	return { settings, store };
}

/** The "Bot WeChat ID" parameter, checked against the credential's allow-list. */
export function botFromParameter(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: WeHubSettings,
): BotRef {
	const wxid = String(this.getNodeParameter('botWxid', itemIndex, '') ?? '').trim();
	if (!wxid) {
		throw new NodeOperationError(this.getNode(), 'Bot WeChat ID is empty', {
			itemIndex,
			description:
				'Set "Bot WeChat ID" to the wxid of the logged-in account, e.g. {{ $json.bot_wxid }} on items from the WeHub Trigger',
		});
	}
	if (settings.allowedBots && !settings.allowedBots.includes(wxid)) {
		throw new NodeOperationError(
			this.getNode(),
			`Bot WeChat ID "${wxid}" is not in the credential's Allowed Bots`,
			{
				itemIndex,
				description: `Use one of ${settings.allowedBots.join(', ')}, or add ${wxid} to Allowed Bots in the WeHub API credential`,
			},
		);
	}
	return { appid: settings.appid, wxid };
}
