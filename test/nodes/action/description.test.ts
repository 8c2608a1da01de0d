import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { WeHub } from '../../../nodes/WeHub/WeHub.node';
import { resources } from '../../../nodes/WeHub/actions/resources';

const { description } = new WeHub();
const property = (name: string) => description.properties.filter((p) => p.name === name);
const optionsOf = (p: INodeProperties) => (p.options ?? []) as INodePropertyOptions[];
const names = (p: INodeProperties) => optionsOf(p).map((option) => option.name);
const sorted = (values: string[]) => [...values].sort((a, b) => a.localeCompare(b));

describe('WeHub node description', () => {
	it('identifies the node as n8n expects', () => {
		expect(description).toMatchObject({
			displayName: 'WeHub',
			name: 'weHub',
			usableAsTool: {
				replacements: { description: expect.stringMatching(/^Send WeChat messages/) },
			},
			subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
			credentials: [expect.objectContaining({ name: 'weHubApi', required: true })],
		});
	});

	it('offers every resource, sorted, without expressions', () => {
		const [resource] = property('resource');
		expect(resource.noDataExpression).toBe(true);
		expect(names(resource)).toEqual([
			'Bot',
			'Contact',
			'File',
			'Inbox',
			'Message',
			'Room',
			'Tag',
			'Task',
			'Transfer',
		]);
	});

	it.each(Object.keys(resources))(
		'%s: operations are sorted, each has an action and an implementation',
		(name) => {
			const [operation] = property('operation').filter(
				(p) => p.displayOptions?.show?.resource?.[0] === name,
			);
			expect(operation.noDataExpression).toBe(true);
			expect(names(operation)).toEqual(sorted(names(operation)));
			for (const option of optionsOf(operation)) {
				expect(option.action).toMatch(/^[A-Z][a-z]/);
				expect(resources[name].operations[option.value as string]).toBeDefined();
			}
			expect(
				optionsOf(operation)
					.map((option) => option.value)
					.sort(),
			).toEqual(Object.keys(resources[name].operations).sort());
		},
	);

	it('covers all 19 WeHub task types', () => {
		const taskNumbers = property('operation')
			.flatMap(optionsOf)
			.map((option) => /\(task (\d+)\)/.exec(option.description ?? '')?.[1])
			.filter((value): value is string => value !== undefined)
			.map(Number)
			.sort((a, b) => a - b);
		expect(taskNumbers).toEqual(Array.from({ length: 19 }, (_, index) => index + 1));
	});

	it('describes booleans as "Whether ..." and gives placeholders as "e.g. ..."', () => {
		const all = (properties: INodeProperties[]): INodeProperties[] =>
			properties.flatMap((p) => [
				p,
				...all(
					((p.options ?? []) as Array<INodeProperties | { values?: INodeProperties[] }>).flatMap(
						(child) =>
							'type' in child
								? [child as INodeProperties]
								: ((child as { values?: INodeProperties[] }).values ?? []),
					),
				),
			]);
		for (const p of all(description.properties)) {
			if (p.type === 'boolean') expect(p.description).toMatch(/^Whether /);
			if (typeof p.placeholder === 'string' && p.type === 'string')
				expect(p.placeholder).toMatch(/^e\.g\. /);
		}
	});
});
