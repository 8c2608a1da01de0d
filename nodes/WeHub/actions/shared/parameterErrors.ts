import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { ClientTooOldError, TaskValidationError } from '../../protocol/tasks';

/** Task-dict field (as the protocol's builders name it) -> the node parameter's display name. */
export type FieldLabels = Record<string, string>;

/**
 * Runs a protocol task builder and turns its `TaskValidationError` into an error that names the
 * node parameter the user has to fix, not the wire field.
 */
export async function withParameterNames<T>(
	this: IExecuteFunctions,
	itemIndex: number,
	labels: FieldLabels,
	build: () => Promise<T>,
): Promise<T> {
	try {
		return await build();
	} catch (error) {
		if (!(error instanceof TaskValidationError)) {
			// Errors that already name their parameter (NodeOperationError) pass through unchanged.
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
		if (error instanceof ClientTooOldError) {
			const message =
				error.field === 'task_type'
					? capitalised(error.message)
					: `${labelFor(labels, error.field)}: ${error.message}`;
			throw new NodeOperationError(this.getNode(), message, {
				itemIndex,
				description:
					'Update the bot’s WeHub client, or leave this out. The version is the one the bot last logged in with.',
			});
		}
		const label = labelFor(labels, error.field);
		throw new NodeOperationError(this.getNode(), `${label}: ${error.message}`, {
			itemIndex,
			description: `Fix the "${label}" parameter`,
		});
	}
}

/** Exact field first, then its root (`msg_list[1].msg` -> `msg_list`), else the wire name. */
function labelFor(labels: FieldLabels, field: string): string {
	if (labels[field]) return labels[field];
	const root = /^[A-Za-z_]+/.exec(field)?.[0];
	const unit = /^msg_list\[(\d+)\]/.exec(field);
	if (unit && labels.msg_list) return `${labels.msg_list} › Message ${Number(unit[1]) + 1}`;
	return (root && labels[root]) || field;
}

function capitalised(message: string): string {
	return message.charAt(0).toUpperCase() + message.slice(1);
}
