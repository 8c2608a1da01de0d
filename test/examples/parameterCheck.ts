import type {
	IDisplayOptions,
	INodeProperties,
	INodePropertyCollection,
	INodePropertyOptions,
} from 'n8n-workflow';

/**
 * Checks a node's saved parameters against its description the way n8n's editor reads them:
 * every parameter must exist and be visible under the others' values (displayOptions), option
 * values must be offered, collections and fixed collections are checked field by field, and a
 * visible required field with an empty default must be given. Returns one line per problem.
 */
export function checkParameters(
	properties: readonly INodeProperties[],
	parameters: Record<string, unknown>,
	where = '',
): string[] {
	const problems: string[] = [];
	const valueOf = (name: string): unknown =>
		name in parameters ? parameters[name] : properties.find((p) => p.name === name)?.default;
	const visible = properties.filter((p) => isShown(p.displayOptions, valueOf));

	for (const [name, value] of Object.entries(parameters)) {
		const path = `${where}${name}`;
		const candidates = visible.filter((p) => p.name === name);
		if (candidates.length === 0) {
			const exists = properties.some((p) => p.name === name);
			problems.push(exists ? `${path}: hidden by displayOptions` : `${path}: no such parameter`);
			continue;
		}
		// Several visible properties may share a name (one per resource); one must accept the value.
		const outcomes = candidates.map((p) => checkValue(p, value, path));
		if (!outcomes.some((o) => o.length === 0)) problems.push(...outcomes[0]);
	}

	for (const property of visible) {
		const missing =
			property.required &&
			property.type !== 'notice' &&
			(property.default === '' || property.default === undefined) &&
			(parameters[property.name] === undefined || parameters[property.name] === '');
		if (missing) problems.push(`${where}${property.name}: required and empty`);
	}
	return problems;
}

function checkValue(property: INodeProperties, value: unknown, path: string): string[] {
	if (isExpression(value) && property.noDataExpression !== true) return [];
	switch (property.type) {
		case 'options':
			return offered(property).includes(value as string)
				? []
				: [`${path}: ${JSON.stringify(value)} is not one of ${offered(property).join(', ')}`];
		case 'multiOptions': {
			if (!Array.isArray(value)) return [`${path}: expected a list`];
			const bad = value.filter((v) => !offered(property).includes(v as string));
			return bad.length === 0 ? [] : [`${path}: ${bad.join(', ')} not offered`];
		}
		case 'boolean':
			return typeof value === 'boolean' ? [] : [`${path}: expected true or false`];
		case 'number':
			return typeof value === 'number' ? [] : [`${path}: expected a number`];
		case 'string':
		case 'dateTime':
		case 'json':
			return typeof value === 'string' ? [] : [`${path}: expected a string`];
		case 'collection':
			return isRecord(value)
				? checkParameters(property.options as INodeProperties[], value, `${path}.`)
				: [`${path}: expected an object`];
		case 'fixedCollection':
			return checkFixedCollection(property, value, path);
		default:
			return [];
	}
}

function checkFixedCollection(property: INodeProperties, value: unknown, path: string): string[] {
	if (!isRecord(value)) return [`${path}: expected an object`];
	const groups = (property.options ?? []) as INodePropertyCollection[];
	const problems: string[] = [];
	for (const [groupName, entries] of Object.entries(value)) {
		const group = groups.find((g) => g.name === groupName);
		if (!group) {
			problems.push(`${path}.${groupName}: no such group`);
			continue;
		}
		const list = property.typeOptions?.multipleValues ? entries : [entries];
		if (!Array.isArray(list)) {
			problems.push(`${path}.${groupName}: expected a list`);
			continue;
		}
		list.forEach((entry, index) => {
			if (!isRecord(entry)) problems.push(`${path}.${groupName}[${index}]: expected an object`);
			else
				problems.push(...checkParameters(group.values, entry, `${path}.${groupName}[${index}].`));
		});
	}
	return problems;
}

/** n8n's show/hide rules for plain values (the nodes checked here use no `_cnd` conditions). */
function isShown(
	displayOptions: IDisplayOptions | undefined,
	valueOf: (name: string) => unknown,
): boolean {
	if (!displayOptions) return true;
	const matches = (name: string, allowed: unknown[] | undefined) => {
		const current = valueOf(name);
		const values = Array.isArray(current) ? current : [current];
		return (allowed ?? []).some((a) => values.includes(a));
	};
	for (const [name, allowed] of Object.entries(displayOptions.show ?? {})) {
		if (!matches(name, allowed as unknown[])) return false;
	}
	for (const [name, denied] of Object.entries(displayOptions.hide ?? {})) {
		if (matches(name, denied as unknown[])) return false;
	}
	return true;
}

function offered(property: INodeProperties): unknown[] {
	return ((property.options ?? []) as INodePropertyOptions[]).map((o) => o.value);
}

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}
