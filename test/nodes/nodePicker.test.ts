import { readFileSync } from 'fs';
import { join } from 'path';

import { WeHub } from '../../nodes/WeHub/WeHub.node';
import { WeHubTrigger } from '../../nodes/WeHub/WeHubTrigger.node';

/** What n8n's node picker shows of the two nodes: their codex files and their descriptions. */
const PACKAGE = 'n8n-nodes-wehub';
const nodes = {
	'WeHub.node.json': new WeHub().description,
	'WeHubTrigger.node.json': new WeHubTrigger().description,
};
const codexOf = (file: string) =>
	JSON.parse(readFileSync(join(__dirname, '../../nodes/WeHub', file), 'utf8')) as {
		node: string;
		categories: string[];
		alias: string[];
		resources: { primaryDocumentation: Array<{ url: string }> };
	};

describe('the node picker entries', () => {
	it.each(Object.entries(nodes))(
		'%s names its node and files it under Communication',
		(file, description) => {
			const codex = codexOf(file);

			expect(codex.node).toBe(`${PACKAGE}.${description.name}`);
			expect(codex.categories).toEqual(['Communication']);
			// n8n reads resources.primaryDocumentation unguarded: a codex without it is ignored.
			expect(codex.resources.primaryDocumentation[0].url).toMatch(/^https:\/\//);
		},
	);

	it.each(Object.keys(nodes))('%s is found by searching 微信 or WeChat', (file) => {
		expect(codexOf(file).alias).toEqual(expect.arrayContaining(['微信', 'WeChat', 'Weixin']));
	});

	it('both nodes carry one description, since n8n shows them as one entry with the trigger’s', () => {
		expect(nodes['WeHubTrigger.node.json'].description).toBe(nodes['WeHub.node.json'].description);
	});
});
