import {
	NodeOperationError,
	type IDataObject,
	type IDeferredPromise,
	type IHookFunctions,
	type INodeExecutionData,
	type IRun,
	type ITriggerFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { MEDIA_BASE_URL_SETTING } from '../shared/mediaBaseUrl';
import { embeddedStoreQueueWarning } from '../shared/queueModeStore';
import { openStoreFor, settingsFromCredential, type WeHubSettings } from '../shared/settings';
import type { TaskStore } from '../store/TaskStore';
import { cachedSettings } from '../shared/settingsCache';
import type { Delivery } from '../trigger/delivery';
import type { CallbackContext } from '../trigger/handleCallback';
import { optionsFromParameters } from '../trigger/optionsFromParameters';

/** n8n 2.x's refusal of an emit with a done promise on its engine 2.0. */
const ENGINE_V2_REFUSAL = /^Engine 2\.0 cannot run a trigger that waits/;

/** What n8n hands the trigger in each of its phases: activation, a webhook call, trigger(). */
type TriggerPhase = IHookFunctions | IWebhookFunctions | ITriggerFunctions;

/**
 * The one place where the WeHub Trigger meets n8n, whichever transport carries WeHub's requests
 * (n8n's webhook path, the own listener, its WebSocket): it turns the node's credential and
 * parameters into the n8n-free handlers' context, records where WeHub downloads media from, and
 * turns a delivery (items, plus a file for an upload) into n8n items and executions.
 */
export class N8nAdapter {
	constructor(private readonly fns: TriggerPhase) {}

	/**
	 * The credential's settings. `reuse`: on the webhook path a credential read builds and disposes
	 * an expression isolate in n8n 2.x, so settings are reused for a few seconds per credential.
	 */
	async settings(reuse = false): Promise<WeHubSettings> {
		const read = async () => await this.fns.getCredentials('weHubApi');
		if (!reuse) return settingsFromCredential(await read());
		const id = this.fns.getNode()?.credentials?.weHubApi?.id;
		return await cachedSettings(id, read);
	}

	/** The handlers' context: settings, the store (opened on first use) and the trigger's options. */
	async context(reuseSettings = false): Promise<CallbackContext> {
		const settings = await this.settings(reuseSettings);
		// Opened once per context (a listener's lives as long as the workflow is active); a failed
		// open is tried again by the next call.
		let opened: Promise<TaskStore> | undefined;
		const store = async () => {
			opened ??= openStoreFor(settings).catch((error: unknown) => {
				opened = undefined;
				throw error;
			});
			return await opened;
		};
		return {
			settings,
			store,
			options: optionsFromParameters((name, fallback) =>
				this.fns.getNodeParameter(name, fallback as never),
			),
		};
	}

	/** At activation: the embedded store cannot be shared by queue-mode processes on several hosts. */
	warnWhenStoreSplits(settings: WeHubSettings): void {
		const warning = embeddedStoreQueueWarning(settings);
		if (warning) this.fns.logger.warn(warning, { node: this.fns.getNode().name });
	}

	/**
	 * Points the action node's media URLs at this trigger. A manual run only fills the setting when
	 * none exists: its URL lives while the editor listens and must not replace the production one.
	 */
	async recordMediaBaseUrl(context: CallbackContext, mediaBaseUrl: string): Promise<void> {
		const { appid } = context.settings;
		try {
			const store = await context.store();
			const manual = this.fns.getMode() === 'manual';
			if (manual && (await store.getSetting(appid, MEDIA_BASE_URL_SETTING))) return;
			await store.putSetting(appid, MEDIA_BASE_URL_SETTING, mediaBaseUrl);
		} catch (error) {
			throw new NodeOperationError(
				this.fns.getNode(),
				`The WeHub task store could not be opened: ${(error as Error).message}`,
			);
		}
	}

	/** A delivery as n8n items; an upload's file becomes the binary `data` of its item. */
	async executionItems(delivery: Delivery): Promise<INodeExecutionData[]> {
		const items: INodeExecutionData[] = delivery.items.map((json) => ({
			json: json as IDataObject,
		}));
		const { upload } = delivery;
		if (upload && items.length > 0) {
			const helpers = (this.fns as IWebhookFunctions | ITriggerFunctions).helpers;
			const binary = await helpers.prepareBinaryData(upload.data, upload.fileName, upload.mimeType);
			items[0] = { ...items[0], binary: { data: binary } };
		}
		return items;
	}

	/**
	 * Starts one execution for a delivery (listener mode). `track`: resolves when the execution has
	 * ended, through emit's done promise, so the listener can bound running executions and forget
	 * the delivery's inbox entry. False when it could not start. Never throws.
	 */
	async emit(delivery: Delivery, track: boolean): Promise<boolean> {
		// Manual runs: n8n swaps `emit` after trigger() returns, so it is looked up at delivery time.
		const fns = this.fns as ITriggerFunctions;
		try {
			const data = [await this.executionItems(delivery)];
			if (!track) {
				fns.emit(data);
				return true;
			}
			const done = deferred<IRun>();
			fns.emit(data, undefined, done);
			// An execution that ended in an error has ended too.
			const refusal = await done.promise.then(
				() => undefined,
				(error: unknown) => error,
			);
			if (refusal instanceof Error && ENGINE_V2_REFUSAL.test(refusal.message)) {
				// n8n's engine 2.0 runs no trigger that waits for its execution: hand it off instead,
				// untracked (the event is delivered at most once, the execution bound does not count it).
				fns.logger.warn(
					'WeHub Trigger: this workflow runs on n8n engine 2.0, which cannot report when an execution ends: Max Running Executions and Durable Delivery do not apply to it (set them to 0 and off)',
				);
				fns.emit(data);
			}
			return true;
		} catch (error) {
			fns.logger.error(`WeHub Trigger: could not start an execution: ${(error as Error).message}`);
			return false;
		}
	}
}

function deferred<T>(): IDeferredPromise<T> {
	let resolve!: IDeferredPromise<T>['resolve'];
	let reject!: IDeferredPromise<T>['reject'];
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}
