import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { contactListFlag, reReportContactsTask } from '../../protocol/tasks';
import { botWxidField, queueOptionsField } from '../shared/fields';
import { queueTaskFromParameters } from '../shared/queueTask';

const displayOptions = { show: { resource: ['contact'], operation: ['reReport'] } };

export const description: INodeProperties[] = [
	botWxidField(displayOptions),
	{
		displayName: 'Contact Kinds',
		name: 'contactKinds',
		type: 'multiOptions',
		required: true,
		options: [
			{ name: 'Friends', value: 'friends' },
			{ name: 'Official Accounts', value: 'officialAccounts' },
			{ name: 'Rooms', value: 'rooms' },
		],
		default: ['friends', 'rooms'],
		description: 'Which contact lists WeHub reports again to the WeHub Trigger',
		displayOptions,
	},
	queueOptionsField(displayOptions),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const kinds = this.getNodeParameter('contactKinds', itemIndex, []) as string[];
	const flag = contactListFlag(kinds);
	return await queueTaskFromParameters.call(
		this,
		itemIndex,
		{ flag_report_contact: 'Contact Kinds' },
		(_context, _bot, client) => reReportContactsTask(flag, client),
		{ result_event: 'contacts' },
	);
}
