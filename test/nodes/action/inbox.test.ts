import { closeAllTaskStores } from '../../../nodes/WeHub/store/openTaskStore';
import { embeddedCredential, runNode, storeFor, tempStoreFolder } from './harness';

/** Inbox › Get Many: events the WeHub Trigger acknowledged whose executions have not ended. */
const folder = tempStoreFolder();
afterAll(async () => {
	await closeAllTaskStores();
	folder.remove();
});

it('lists undelivered events oldest first: running ones and ones waiting for a replay', async () => {
	const credential = embeddedCredential('app-inbox-1', folder.path);
	const store = await storeFor(credential);
	const now = Date.now();
	const entry = (id: string, receivedAt: number, leaseUntil: number) => ({
		id,
		appid: credential.appId,
		owner: 'wf-orders/WeHub Trigger',
		bot_wxid: 'wxid_bot_shop01',
		items: [
			{ event: 'message', text: 'ping' },
			{ event: 'message', text: 'ping again' },
		],
		received_at: receivedAt,
		holder: 'listener-a',
		lease_until: leaseUntil,
	});
	await store.inboxPut(entry('d-running', now - 1_000, now + 30_000), 100);
	await store.inboxPut(entry('d-orphaned', now - 60_000, now - 30_000), 100);

	const output = await runNode(credential, {
		parameters: { resource: 'inbox', operation: 'getAll', returnAll: true },
	});

	expect(output.map((item) => item.json)).toEqual([
		{
			delivery_id: 'd-orphaned',
			workflow_id: 'wf-orders',
			trigger_node: 'WeHub Trigger',
			bot_wxid: 'wxid_bot_shop01',
			events: ['message'],
			item_count: 2,
			received_at: new Date(now - 60_000).toISOString(),
			attempts: 1,
			in_progress: false,
			lease_until: new Date(now - 30_000).toISOString(),
		},
		expect.objectContaining({ delivery_id: 'd-running', in_progress: true }),
	]);
	const limited = await runNode(credential, {
		parameters: { resource: 'inbox', operation: 'getAll', returnAll: false, limit: 1 },
	});
	expect(limited.map((item) => item.json.delivery_id)).toEqual(['d-orphaned']);
});
