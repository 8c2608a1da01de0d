import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { DAILY_CAP_FIELDS, STORE_DEFAULTS } from '../nodes/WeHub/defaults';

const onlyForRedis = { show: { storeBackend: ['redis'] } };

/**
 * What identifies one WeHub app (appid, secret, allowed bots), where its task store lives and the
 * anti-ban limits the store applies. WeHub has no API to call, so the credential is tested by the
 * nodes (`testedBy`), which open the chosen store.
 */
export class WeHubApi implements ICredentialType {
	name = 'weHubApi';

	displayName = 'WeHub API';

	icon = { light: 'file:wehub.svg', dark: 'file:wehub.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-wehub/n8n-nodes-wehub#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. wx_app_1a2b3c',
			description:
				'The appid WeHub sends with every callback; requests for another appid are refused',
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The secret key of the appid, used to sign login answers (WeHub 0.2.2 and later send a nonce). Without it, logins that carry a nonce are refused.',
		},
		{
			displayName: 'Allowed Bots',
			name: 'allowedBots',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'e.g. wxid_abc123, fangqing_hust',
			description:
				'WeChat accounts (wxids) allowed to log in, separated by commas or new lines. WeHub bills per logged-in account. Empty allows any account.',
		},
		{
			displayName: 'Task Store',
			name: 'storeBackend',
			type: 'options',
			options: [
				{
					name: 'Embedded',
					value: 'embedded',
					description: 'A database file on this machine; for a single n8n process',
				},
				{
					name: 'Redis',
					value: 'redis',
					description:
						'Your own Redis server; needed when n8n runs in queue mode or on several hosts',
				},
			],
			default: 'embedded',
			description: 'Where queued tasks, logged-in bots and file references are kept',
		},
		{
			displayName: 'Store Path',
			name: 'storePath',
			type: 'string',
			default: '',
			placeholder: 'e.g. /home/node/.n8n/wehub-store',
			description: 'Folder of the embedded store. Empty uses wehub-store in the n8n user folder.',
			displayOptions: { show: { storeBackend: ['embedded'] } },
		},
		{
			displayName: 'Redis Host',
			name: 'redisHost',
			type: 'string',
			default: '',
			placeholder: 'e.g. redis.internal',
			required: true,
			displayOptions: onlyForRedis,
		},
		{
			displayName: 'Redis Port',
			name: 'redisPort',
			type: 'number',
			default: STORE_DEFAULTS.redisPort,
			displayOptions: onlyForRedis,
		},
		{
			displayName: 'Redis User',
			name: 'redisUser',
			type: 'string',
			default: '',
			description: 'Redis 6 ACL user name; empty for the default user',
			displayOptions: onlyForRedis,
		},
		{
			displayName: 'Redis Password',
			name: 'redisPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: onlyForRedis,
		},
		{
			displayName: 'Redis Database',
			name: 'redisDatabase',
			type: 'number',
			default: 0,
			displayOptions: onlyForRedis,
		},
		{
			displayName: 'Redis TLS',
			name: 'redisTls',
			type: 'boolean',
			default: false,
			description: 'Whether to connect to Redis over TLS',
			displayOptions: onlyForRedis,
		},
		{
			displayName: 'Redis Key Prefix',
			name: 'redisKeyPrefix',
			type: 'string',
			default: STORE_DEFAULTS.redisKeyPrefix,
			description: 'Prefix of every key the store writes, so several apps can share one database',
			displayOptions: onlyForRedis,
		},
		{
			displayName: 'Daily Cap: Accept Friend Requests',
			name: 'capAcceptFriend',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: capDefault('capAcceptFriend'),
			description:
				'Friend requests accepted per bot and day (task 13); further tasks wait until the next day (UTC)',
		},
		{
			displayName: 'Daily Cap: Add Room Members as Friends',
			name: 'capAddFriend',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: capDefault('capAddFriend'),
			description: 'Friend requests sent to room members per bot and day (task 5)',
		},
		{
			displayName: 'Daily Cap: Create Rooms',
			name: 'capCreateRoom',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: capDefault('capCreateRoom'),
			description: 'Rooms created per bot and day (task 17)',
		},
		{
			displayName: 'Daily Cap: Accept Room Invitations',
			name: 'capAcceptRoomInvitation',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: capDefault('capAcceptRoomInvitation'),
			description: 'Room invitations accepted per bot and day (task 19)',
		},
		{
			displayName: 'Minimum Seconds Between Tasks',
			name: 'minTaskIntervalSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: STORE_DEFAULTS.minTaskIntervalSeconds,
			description:
				'Pacing: the least time between two tasks handed to one bot; 0 hands them out as fast as WeHub polls',
		},
		{
			displayName: 'Task Lost After (Minutes)',
			name: 'lostAfterMinutes',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: STORE_DEFAULTS.lostAfterMinutes,
			description: 'A task WeHub pulled but never reported on is marked lost after this long',
		},
		{
			displayName: 'Keep Finished Tasks (Days)',
			name: 'retainDays',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: STORE_DEFAULTS.retainDays,
			description:
				'Finished tasks, file references, friend requests and stored media are removed after this long',
		},
	];
}

function capDefault(field: keyof typeof DAILY_CAP_FIELDS): number {
	return STORE_DEFAULTS.dailyCaps[DAILY_CAP_FIELDS[field]];
}
