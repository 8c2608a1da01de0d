import { mkdtempSync, rmSync } from 'fs';
import { mock } from 'jest-mock-extended';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	NodeExecutionHint,
} from 'n8n-workflow';
import { tmpdir } from 'os';
import { join } from 'path';

import { WeHub } from '../../../nodes/WeHub/WeHub.node';
import { openStoreFor, settingsFromCredential } from '../../../nodes/WeHub/shared/settings';
import type { TaskStore } from '../../../nodes/WeHub/store/TaskStore';

/**
 * Runs the real WeHub node with n8n's IExecuteFunctions mocked (parameters as n8n would resolve
 * them) and the real task store the credential points at.
 */
export interface Run {
	/** Parameters for every item; a function gives per-item values. */
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
}

export const NODE: INode = {
	id: 'node-1',
	name: 'WeHub',
	type: 'n8n-nodes-wehub.weHub',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

export function embeddedCredential(appId: string, storePath: string, extra: IDataObject = {}) {
	return { appId, storeBackend: 'embedded', storePath, ...extra };
}

export function redisCredential(
	appId: string,
	host: string,
	port: number,
	extra: IDataObject = {},
) {
	return { appId, storeBackend: 'redis', redisHost: host, redisPort: port, ...extra };
}

/** A fresh folder for one test file's embedded store. */
export function tempStoreFolder(): { path: string; remove(): void } {
	const path = mkdtempSync(join(tmpdir(), 'wehub-action-'));
	return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function storeFor(credential: IDataObject): Promise<TaskStore> {
	return await openStoreFor(settingsFromCredential(credential as ICredentialDataDecryptedObject));
}

export async function runNode(credential: IDataObject, run: Run): Promise<INodeExecutionData[]> {
	return (await runNodeWithHints(credential, run)).output;
}

/** The error of a run that must fail: n8n shows its message and description to the user. */
export async function runNodeRefused(
	credential: IDataObject,
	run: Run,
): Promise<Error & { description?: string }> {
	try {
		await runNode(credential, run);
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('The node ran without an error');
}

/** The node's output and the execution hints it gave n8n (shown above the output pane). */
export async function runNodeWithHints(
	credential: IDataObject,
	run: Run,
): Promise<{ output: INodeExecutionData[]; hints: NodeExecutionHint[] }> {
	const context = executeFunctions(credential, run);
	const hints: NodeExecutionHint[] = [];
	context.addExecutionHints.mockImplementation((...given) => void hints.push(...given));
	const [output] = await new WeHub().execute.call(context);
	return { output, hints };
}

export function executeFunctions(credential: IDataObject, run: Run) {
	const items: INodeExecutionData[] = run.items ?? [{ json: {} }];
	const parametersOf = (itemIndex: number) =>
		typeof run.parameters === 'function' ? run.parameters(itemIndex) : run.parameters;
	const binaryOf = (itemIndex: number, property: string): IBinaryData => {
		const binary = items[itemIndex]?.binary?.[property];
		if (!binary)
			throw new Error(
				`This operation expects the node's input data to contain a binary file '${property}', but none was found`,
			);
		return binary;
	};

	const context = mock<IExecuteFunctions>();
	context.getInputData.mockReturnValue(items);
	context.getNode.mockReturnValue(NODE);
	context.getExecutionId.mockReturnValue('execution-42');
	context.getWorkflow.mockReturnValue({ id: 'workflow-7', name: 'WeHub replies', active: true });
	context.continueOnFail.mockReturnValue(run.continueOnFail ?? false);
	context.getCredentials.mockImplementation(async () => credential as never);
	context.getNodeParameter.mockImplementation(((
		name: string,
		itemIndex: number,
		fallback?: unknown,
	) => {
		let value: unknown = parametersOf(itemIndex);
		for (const part of name.split('.')) {
			value = value === undefined ? undefined : (value as IDataObject)[part];
		}
		return value === undefined ? fallback : value;
	}) as never);
	// The n8n-core helpers the node uses, with n8n's semantics.
	context.helpers = {
		returnJsonArray: (data: IDataObject | IDataObject[]) =>
			(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		constructExecutionMetaData: (
			inputData: INodeExecutionData[],
			{ itemData }: { itemData: { item: number } },
		) => inputData.map((entry) => ({ ...entry, pairedItem: itemData })),
		assertBinaryData: (itemIndex: number, property: string) => binaryOf(itemIndex, property),
		getBinaryDataBuffer: async (itemIndex: number, property: string) =>
			Buffer.from(binaryOf(itemIndex, property).data, 'base64'),
	} as unknown as IExecuteFunctions['helpers'];
	return context;
}

/** n8n binary data as another node produces it. */
export function binaryData(data: Buffer, mimeType: string, fileName: string): IBinaryData {
	const extension = /\.([^.]+)$/.exec(fileName)?.[1];
	return {
		data: data.toString('base64'),
		mimeType,
		fileName,
		fileExtension: extension,
		fileSize: `${data.length} B`,
	};
}
