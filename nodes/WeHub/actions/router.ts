import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { resources } from './resources';
import { executionHints } from './shared/executionHints';
import type { Operation } from './shared/operation';

/**
 * Runs the chosen operation once per input item. Every output item is paired with the input item
 * it came from; with "Continue On Fail" a failing item becomes an error item instead of stopping.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const operation = operationFor.call(this, itemIndex);
			const result = await operation.execute.call(this, itemIndex);
			output.push(
				...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result), {
					itemData: { item: itemIndex },
				}),
			);
		} catch (error) {
			if (this.continueOnFail()) {
				output.push({
					json: { ...items[itemIndex].json, error: (error as Error).message },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			// An error that already is a NodeOperationError is thrown unchanged.
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	}
	executionHints(this).show(this);
	return [output];
}

function operationFor(this: IExecuteFunctions, itemIndex: number): Operation {
	const resource = this.getNodeParameter('resource', itemIndex) as string;
	const operation = this.getNodeParameter('operation', itemIndex) as string;
	const found = resources[resource as keyof typeof resources]?.operations[operation];
	if (!found) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
			{ itemIndex },
		);
	}
	return found;
}
