import { RedisTaskStore } from '../../nodes/WeHub/store/RedisTaskStore';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { taskStoreContract } from './contract';

let server: RedisServer;
let stores = 0;

beforeAll(async () => {
	server = await startRedisServer();
});
afterAll(async () => {
	await server?.stop();
});

// One server for the file; each store gets its own key prefix, so every test starts empty.
taskStoreContract('redis', async (limits) => {
	stores++;
	return new RedisTaskStore(
		{ backend: 'redis', host: server.host, port: server.port, keyPrefix: `test${stores}:`, limits },
		{ sweepEveryMs: 0 },
	);
});
