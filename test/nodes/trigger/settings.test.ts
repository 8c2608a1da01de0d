import { parseWxidList, settingsFromCredential } from '../../../nodes/WeHub/shared/settings';

describe('settingsFromCredential', () => {
	it('maps an embedded credential with its caps and pacing onto the store limits', () => {
		const settings = settingsFromCredential({
			appId: ' wh_appid_3f9c2a ',
			secretKey: '112233',
			allowedBots: 'wxid_p9597egc5j1c21,\nfangqing_hust；fangqing_hust',
			storeBackend: 'embedded',
			storePath: '',
			capAcceptFriend: 150,
			capAddFriend: 100,
			capCreateRoom: 5,
			capAcceptRoomInvitation: 8,
			minTaskIntervalSeconds: 2.5,
			lostAfterMinutes: 15,
			retainDays: 3,
		});
		expect(settings).toEqual({
			appid: 'wh_appid_3f9c2a',
			secretKey: '112233',
			allowedBots: ['wxid_p9597egc5j1c21', 'fangqing_hust'],
			store: {
				backend: 'embedded',
				path: undefined,
				limits: {
					dailyCaps: { 13: 150, 5: 100, 17: 5, 19: 8 },
					minIntervalMs: 2500,
					lostAfterMs: 15 * 60_000,
					retainFinishedMs: 3 * 24 * 3_600_000,
				},
			},
		});
	});

	it('fills the defaults of the credential for missing or empty fields', () => {
		const settings = settingsFromCredential({ appId: 'app', secretKey: '', capAcceptFriend: '' });
		expect(settings.secretKey).toBeUndefined();
		expect(settings.allowedBots).toBeNull();
		expect(settings.store.limits).toEqual({
			dailyCaps: { 13: 200, 5: 200, 17: 20, 19: 20 },
			minIntervalMs: 0,
			lostAfterMs: 600_000,
			retainFinishedMs: 604_800_000,
		});
	});

	it('builds a Redis config with prefix, user, password, database and TLS', () => {
		const { store } = settingsFromCredential({
			appId: 'app',
			storeBackend: 'redis',
			redisHost: 'redis.internal',
			redisPort: 6380,
			redisUser: 'wehub',
			redisPassword: 's3cret',
			redisDatabase: 2,
			redisTls: true,
			redisKeyPrefix: '',
		});
		expect(store).toMatchObject({
			backend: 'redis',
			host: 'redis.internal',
			port: 6380,
			username: 'wehub',
			password: 's3cret',
			database: 2,
			tls: true,
			keyPrefix: 'wehub:',
		});
	});

	it.each([
		[{ appId: '' }, /App ID/],
		[{ appId: 'app', storeBackend: 'redis', redisHost: ' ' }, /Redis host/],
	])('refuses an incomplete credential %j', (data, message) => {
		expect(() => settingsFromCredential(data)).toThrow(message);
	});

	it('reads an empty allow-list as "no list"', () => expect(parseWxidList(' \n, ')).toBeNull());
});
