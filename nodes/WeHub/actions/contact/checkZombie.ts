import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkZombieTask } from '../../protocol/tasks';
import { botWxidField, personWxidField, queueOptionsField } from '../shared/fields';
import { stringParameter } from '../shared/parameters';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['contact'], operation: ['checkZombie'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	personWxidField(displayOptions, {
		displayName: 'Friend WeChat ID',
		description: 'The friend to check: did they delete or block the bot?',
	}),
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ wxid: 'Friend WeChat ID' },
		(_context, _bot, client) =>
			checkZombieTask(stringParameter.call(this, 'wxid', itemIndex), client),
		{ result_event: 'zombie_check' },
	);
}
