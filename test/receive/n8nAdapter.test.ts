import { mock } from 'jest-mock-extended';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IDeferredPromise,
	INode,
	IRun,
	ITriggerFunctions,
	Logger,
} from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { N8nAdapter } from '../../nodes/WeHub/receive/n8nAdapter';
import { MEDIA_BASE_URL_SETTING } from '../../nodes/WeHub/shared/mediaBaseUrl';
import { closeAllTaskStores } from '../../nodes/WeHub/store/openTaskStore';
import type { Delivery } from '../../nodes/WeHub/trigger/delivery';

/**
 * The adapter is the only place the trigger meets n8n, whichever transport carries the request:
 * the rules every transport shares are pinned here once.
 */
const APPID = 'wh_appid_3f9c2a';
const folder = mkdtempSync(join(tmpdir(), 'wehub-adapter-'));
let stores = 0;

afterAll(async () => {
	await closeAllTaskStores();
	rmSync(folder, { recursive: true, force: true });
});

function credential(): ICredentialDataDecryptedObject {
	stores += 1;
	return { appId: APPID, storeBackend: 'embedded', storePath: join(folder, `store-${stores}`) };
}

function triggerFunctions(data: ICredentialDataDecryptedObject, mode: 'trigger' | 'manual') {
	const fns = mock<ITriggerFunctions>({ logger: mock<Logger>() });
	fns.getCredentials.mockResolvedValue(data);
	fns.getMode.mockReturnValue(mode);
	fns.getNode.mockReturnValue(mock<INode>({ name: 'WeHub Trigger' }));
	fns.getNodeParameter.mockImplementation(((name: string, fallback: unknown) =>
		name === 'events' ? ['message'] : fallback) as never);
	return fns;
}

const message: Delivery = {
	items: [
		{
			event: 'file_uploaded',
			appid: APPID,
			bot_wxid: 'wxid_bot_shop01',
			received_at: '2026-12-01T08:00:00.000Z',
		},
	],
};

describe('N8nAdapter', () => {
	it('builds the handlers’ context from the credential and the trigger’s parameters', async () => {
		const context = await new N8nAdapter(triggerFunctions(credential(), 'trigger')).context();
		expect(context.settings.appid).toBe(APPID);
		expect(context.options.events).toEqual(['message']);
		expect((await context.store()).backend).toBe('embedded');
	});

	it('records the media URL; a manual run fills it only while no production URL exists', async () => {
		const data = credential();
		// Read through the adapter's own store: a second handle opened here with other limits
		// would be another lmdb instance on the same folder, whose reads may lag its writes.
		const record = async (mode: 'trigger' | 'manual', url: string) => {
			const adapter = new N8nAdapter(triggerFunctions(data, mode));
			const context = await adapter.context();
			await adapter.recordMediaBaseUrl(context, url);
			return await (await context.store()).getSetting(APPID, MEDIA_BASE_URL_SETTING);
		};

		expect(await record('manual', 'http://n8n.lan:5678/webhook-test/x/wehub/media')).toBe(
			'http://n8n.lan:5678/webhook-test/x/wehub/media',
		);
		expect(await record('trigger', 'http://n8n.lan:5678/webhook/x/wehub/media')).toBe(
			'http://n8n.lan:5678/webhook/x/wehub/media',
		);
		expect(await record('manual', 'http://n8n.lan:5678/webhook-test/y/wehub/media')).toBe(
			'http://n8n.lan:5678/webhook/x/wehub/media',
		);
	});

	it('turns an upload into the binary data of its item', async () => {
		const fns = triggerFunctions(credential(), 'trigger');
		const binary: IBinaryData = { data: '', mimeType: 'image/jpeg', fileName: 'img_9f2c.jpg' };
		const prepareBinaryData = jest.fn().mockResolvedValue(binary);
		fns.helpers = { prepareBinaryData } as unknown as ITriggerFunctions['helpers'];
		const upload = { fileIndex: 'C:\\f\\img_9f2c.jpg', fileName: 'img_9f2c.jpg' };
		const data = Buffer.from([0xff, 0xd8, 0xff]);

		const items = await new N8nAdapter(fns).executionItems({
			...message,
			upload: { ...upload, mimeType: 'image/jpeg', data },
		});

		expect(prepareBinaryData).toHaveBeenCalledWith(data, 'img_9f2c.jpg', 'image/jpeg');
		expect(items).toEqual([{ json: message.items[0], binary: { data: binary } }]);
	});

	it('emits one execution and, when tracking, resolves only once it has ended', async () => {
		const fns = triggerFunctions(credential(), 'trigger');
		let done: IDeferredPromise<IRun> | undefined;
		fns.emit.mockImplementation((_data, _response, donePromise) => void (done = donePromise));

		let ended = false;
		const emitted = new N8nAdapter(fns).emit(message, true).then(() => (ended = true));
		await new Promise((resolve) => setImmediate(resolve));

		expect(fns.emit).toHaveBeenCalledWith([[{ json: message.items[0] }]], undefined, done);
		expect(ended).toBe(false);
		done!.resolve(mock<IRun>());
		await emitted;
		expect(ended).toBe(true);
	});

	it('logs an execution that cannot start instead of throwing into the transport', async () => {
		const fns = triggerFunctions(credential(), 'trigger');
		fns.emit.mockImplementation(() => {
			throw new Error('workflow has no active version');
		});

		await expect(new N8nAdapter(fns).emit(message, false)).resolves.toBe(false);
		expect(fns.logger.error).toHaveBeenCalledWith(
			expect.stringMatching(/could not start an execution: workflow has no active version/),
		);
	});

	it('hands off untracked when n8n’s engine 2.0 refuses a trigger that waits for its execution', async () => {
		const fns = triggerFunctions(credential(), 'trigger');
		fns.emit.mockImplementation((_data, _response, donePromise) => {
			donePromise?.reject(
				new Error(
					'Engine 2.0 cannot run a trigger that waits for its execution to finish yet. Set the node to hand off without waiting.',
				),
			);
		});

		await expect(new N8nAdapter(fns).emit(message, true)).resolves.toBe(true);
		expect(fns.emit).toHaveBeenCalledTimes(2);
		expect(fns.emit.mock.calls[1]).toEqual([[[{ json: message.items[0] }]]]);
		expect(fns.logger.warn).toHaveBeenCalledWith(expect.stringMatching(/engine 2\.0/));
	});
});
