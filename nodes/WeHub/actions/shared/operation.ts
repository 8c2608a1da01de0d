import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** One operation of one resource: its fields and what it does for one input item. */
export interface Operation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject | IDataObject[]>;
}

/** A resource: its operation picker plus every operation's fields, and the operations by value. */
export interface Resource {
	description: INodeProperties[];
	operations: Record<string, Operation>;
}
