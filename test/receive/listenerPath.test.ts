import type { INode, ITriggerResponse } from 'n8n-workflow';

import { activeListenerAddresses } from '../../nodes/WeHub/listener/listenerRegistry';
import { readFixture } from '../protocol/fixtures';
import {
	call,
	fakeTrigger,
	freePort,
	listenerParameters,
	TempStores,
	waitForPort,
} from '../listener/harness';

/** The webhook ID n8n's editor gave the node (a v4 UUID). */
const WEBHOOK_ID = '5b0c2a8e-1d7e-4c55-9f0a-2f5b7c1d9e01';

/**
 * Listener mode takes its URL path from the same Path parameter as webhook mode, and from the
 * same fallback: the node's webhook ID when Path is empty (n8n's /webhook/<webhook ID>).
 */
describe('the own listener’s URL path', () => {
	const stores = new TempStores();
	let open: ITriggerResponse[] = [];
	afterEach(async () => {
		await Promise.all(open.map(async (response) => await response.closeFunction?.()));
		open = [];
		expect(activeListenerAddresses()).toEqual([]);
	});
	afterAll(async () => await stores.cleanUp());

	async function start(path: string | undefined, webhookId: string | undefined) {
		const port = await freePort();
		const { path: _path, ...parameters } = listenerParameters(port);
		const trigger = fakeTrigger({
			credential: stores.credential(),
			parameters: path === undefined ? parameters : { ...parameters, path },
		});
		const node: INode = {
			id: '0f5d9a3c-2b1e-4c7d-8e9f-a1b2c3d4e5f6',
			name: 'WeHub Trigger',
			type: 'n8n-nodes-wehub.weHubTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			...(webhookId ? { webhookId } : {}),
		};
		trigger.fns.getNode.mockReturnValue(node);
		return { port, trigger, started: trigger.start() };
	}

	const login = readFixture('requests', 'login.0.1.5.json');
	const postTo = async (port: number, path: string) =>
		await call(port, 'POST', path, login, { 'content-type': 'application/json' });

	it.each([
		['no Path saved', undefined],
		['an empty Path', ''],
	])('answers at /<webhook ID> with %s, and not at /wehub', async (_case, path) => {
		const { port, trigger, started } = await start(path, WEBHOOK_ID);
		open.push(await started);
		await waitForPort(port);

		const answer = await postTo(port, `/${WEBHOOK_ID}`);
		expect(answer.status).toBe(200);
		expect(answer.json()).toMatchObject({ error_code: 0 });
		expect((await postTo(port, '/wehub')).status).toBe(404);
		// The editor shows no URLs in listener mode: n8n's log names them.
		expect(trigger.fns.logger.info).toHaveBeenCalledWith(
			`WeHub Trigger listens for WeHub: callback URL http://127.0.0.1:${port}/${WEBHOOK_ID}, upload URL http://127.0.0.1:${port}/${WEBHOOK_ID}/upload`,
			{ node: 'WeHub Trigger' },
		);
	});

	it('keeps an explicit Path', async () => {
		const { port, started } = await start('wehub-crm', WEBHOOK_ID);
		open.push(await started);
		await waitForPort(port);
		expect((await postTo(port, '/wehub-crm')).json()).toMatchObject({ error_code: 0 });
		expect((await postTo(port, `/${WEBHOOK_ID}`)).status).toBe(404);
	});

	it('refuses to start without a Path and without a webhook ID, naming Path', async () => {
		const { started } = await start('', undefined);
		await expect(started).rejects.toThrow(/Path is empty and this node has no webhook ID/);
	});
});
