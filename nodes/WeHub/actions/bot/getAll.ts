import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { openActionContext } from '../shared/context';
import { botAllowed } from '../../shared/settings';

const displayOptions = { show: { resource: ['bot'], operation: ['getAll'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Any', value: 'any' },
			{ name: 'Offline', value: 'offline', description: 'Logged out' },
			{ name: 'Online', value: 'online', description: 'Logged in' },
		],
		default: 'any',
		description: 'Only bots with this login status',
		displayOptions,
	},
];

/**
 * The bots WeHub has logged in through this credential's appid, with client version, last poll
 * and queue depth, one item each.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const { settings, store } = await openActionContext.call(this, itemIndex);
	const status = this.getNodeParameter('status', itemIndex, 'any') as 'any' | 'online' | 'offline';
	const bots = await store.listBots(settings.appid);
	return bots
		.filter((bot) => status === 'any' || bot.online === (status === 'online'))
		.map((bot) => ({
			...(bot as unknown as IDataObject),
			allowed: botAllowed(settings, bot.wxid),
		}));
}
