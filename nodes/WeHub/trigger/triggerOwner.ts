/**
 * Which WeHub Trigger a listener or an inbox entry belongs to: `<workflow id>/<node name>`. The
 * workflow id has no '/', a node name may.
 */
export function triggerOwner(workflowId: string, nodeName: string): string {
	return `${workflowId}/${nodeName}`;
}

export function workflowOf(owner: string): string {
	return owner.slice(0, owner.indexOf('/'));
}

export function nodeOf(owner: string): string {
	return owner.slice(owner.indexOf('/') + 1);
}
