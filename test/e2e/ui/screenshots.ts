/**
 * `npm run screenshots`: the node picker and the WeHub Tool in a real n8n editor, driven in
 * Debian's headless Chromium by playwright-core, checked and saved to docs/images/.
 *
 * Not part of `npm test`: it needs a browser, which CI does not have (`apt-get install chromium
 * fonts-noto-cjk`; playwright-core downloads none). What it shows is also checked without a
 * browser, in n8n's node types, by test/e2e/nodeTypes.test.ts.
 *
 * Env: CHROMIUM_PATH (default /usr/bin/chromium), WEHUB_SCREENSHOTS_DIR (default docs/images).
 */
import { existsSync, mkdirSync } from 'fs';
import { join } from 'path';
import { chromium, type Locator, type Page } from 'playwright-core';

import { ensureOwner } from '../../../scripts/n8n/owner';
import { ensureBuilt } from '../harness/ensureBuilt';
import { REPO_ROOT } from '../harness/runtime';
import { startN8n, type N8nInstance } from '../harness/startN8n';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT_DIR = process.env.WEHUB_SCREENSHOTS_DIR ?? join(REPO_ROOT, 'docs', 'images');
/** The machine's network is closed: no calls home, no component updates. */
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
/** The editor loads every node type n8n has (about 17 MB) before the canvas appears. */
const EDITOR_TIMEOUT_MS = 90_000;

/** The action node's description, as n8n loads it (after ensureBuilt). */
function weHubDescription(): string {
	const built = join(REPO_ROOT, 'dist', 'nodes', 'WeHub', 'WeHub.node.js');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { WeHub } = require(built) as typeof import('../../../nodes/WeHub/WeHub.node');
	return new WeHub().description.description;
}

const log = (message: string) => console.log(`[screenshots] ${message}`);

function check(condition: boolean, message: string): void {
	if (!condition) throw new Error(message);
}

interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
}

/** Creates a workflow through n8n's REST API, as the logged-in owner; returns its id. */
async function createWorkflow(
	n8n: N8nInstance,
	cookie: string,
	name: string,
	nodes: WorkflowNode[],
	connections: Record<string, unknown> = {},
): Promise<string> {
	const response = await fetch(`${n8n.baseUrl}/rest/workflows`, {
		method: 'POST',
		headers: { cookie, 'content-type': 'application/json' },
		body: JSON.stringify({ name, nodes, connections, settings: {}, active: false }),
	});
	const text = await response.text();
	check(response.ok, `n8n refused the workflow "${name}" (${response.status}): ${text}`);
	return (JSON.parse(text) as { data: { id: string } }).data.id;
}

async function openWorkflow(page: Page, n8n: N8nInstance, id: string): Promise<void> {
	await page.goto(`${n8n.baseUrl}/workflow/${id}`);
	await page
		.locator('[data-test-id="canvas-node"]')
		.first()
		.waitFor({ timeout: EDITOR_TIMEOUT_MS });
}

async function search(page: Page, text: string): Promise<Locator> {
	const searchBar = page.locator('[data-test-id="node-creator-search-bar"]');
	await searchBar.fill(text);
	const items = page.locator(
		'[data-test-id="node-creator-action-item"], [data-test-id="node-creator-node-item"]',
	);
	await items.first().waitFor();
	await page.waitForTimeout(500); // the list settles after the first match
	return items;
}

/** The picker's WeHub entry for a search, with the action node's own description. */
async function pickerShot(
	page: Page,
	query: string,
	file: string,
	description: string,
): Promise<Locator> {
	const items = await search(page, query);
	const entry = items.filter({ hasText: 'WeHub' }).first();
	const text = (await entry.innerText()).replace(/\s+/g, ' ');
	check(
		text.includes(description),
		`searching "${query}": the WeHub entry reads "${text}", not "${description}"`,
	);
	await page.screenshot({ path: join(OUT_DIR, file) });
	log(`"${query}" in "What happens next?": ${text} -> docs/images/${file}`);
	return entry;
}

async function parameterText(page: Page, name: string): Promise<string> {
	const field = page.locator(`[data-test-id="parameter-input-${name}"]`).first();
	const input = field.locator('input, textarea').first();
	const value = (await input.count()) > 0 ? await input.inputValue() : '';
	return `${value} ${await field.innerText()}`.trim();
}

async function run(): Promise<void> {
	check(
		existsSync(CHROMIUM),
		`No Chromium at ${CHROMIUM}: apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH`,
	);
	mkdirSync(OUT_DIR, { recursive: true });
	ensureBuilt(log);
	const description = weHubDescription();
	log('starting n8n');
	const n8n = await startN8n();
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
	});
	try {
		const owner = await ensureOwner(n8n.baseUrl, { userFolder: n8n.userFolder });
		const [cookieName, cookieValue] = owner.cookie.split(/=(.*)/s);
		const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		await context.addCookies([{ name: cookieName, value: cookieValue, url: n8n.baseUrl }]);
		const page = await context.newPage();

		// 1. After a WeHub Trigger, "What happens next?" finds WeHub by 微信 and by WeChat.
		const afterTrigger = await createWorkflow(n8n, owner.cookie, 'WeHub picker', [
			{
				id: 'b0f5a3c2-3d4e-4f60-8a71-0c1d2e3f4a01',
				name: 'WeHub Trigger',
				type: 'n8n-nodes-wehub.weHubTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
				webhookId: 'b0f5a3c2-3d4e-4f60-8a71-0c1d2e3f4a02',
			},
		]);
		await openWorkflow(page, n8n, afterTrigger);
		await page.locator('[data-test-id="node-creator-plus-button"]').click();
		await page.getByText('What happens next?').waitFor();
		await pickerShot(page, '微信', 'node-picker-weixin.png', description);
		const entry = await pickerShot(page, 'WeChat', 'node-picker-wechat.png', description);

		// The normal node, added from there, keeps answering the trigger's item.
		await entry.click();
		await page.getByText('Send a WeChat message', { exact: true }).click();
		await page.locator('[data-test-id="ndv"]').waitFor();
		const botWxid = await parameterText(page, 'botWxid');
		const sendTo = await parameterText(page, 'sendTo');
		check(botWxid.includes('$json.bot_wxid'), `WeHub node: Bot WeChat ID is "${botWxid}"`);
		check(sendTo.includes('Same Chat as Input Item'), `WeHub node: Send To is "${sendTo}"`);
		log(`WeHub node: Bot WeChat ID "${botWxid}", Send To "${sendTo}"`);

		// 2. Under an AI Agent started from a chat, the WeHub Tool and its own defaults.
		const agent = await createWorkflow(
			n8n,
			owner.cookie,
			'WeHub agent',
			[
				{
					id: 'b0f5a3c2-3d4e-4f60-8a71-0c1d2e3f4a11',
					name: 'When chat message received',
					type: '@n8n/n8n-nodes-langchain.chatTrigger',
					typeVersion: 1.4,
					position: [0, 0],
					parameters: {},
					webhookId: 'b0f5a3c2-3d4e-4f60-8a71-0c1d2e3f4a12',
				},
				{
					id: 'b0f5a3c2-3d4e-4f60-8a71-0c1d2e3f4a13',
					name: 'AI Agent',
					type: '@n8n/n8n-nodes-langchain.agent',
					typeVersion: 3.1,
					position: [260, 0],
					parameters: { options: {} },
				},
			],
			{
				'When chat message received': {
					main: [[{ node: 'AI Agent', type: 'main', index: 0 }]],
				},
			},
		);
		await page.setViewportSize({ width: 1280, height: 1000 });
		await openWorkflow(page, n8n, agent);
		await page
			.locator('[data-handleid="inputs/ai_tool/0"] [data-test-id="canvas-handle-plus"]')
			.click();
		const tools = await search(page, 'WeChat');
		const tool = tools.filter({ hasText: 'WeHub Tool' }).first();
		log(`"WeChat" in the agent's Tools: ${(await tool.innerText()).replace(/\s+/g, ' ')}`);
		await tool.click();
		await page.locator('[data-test-id="ndv"]').waitFor();
		await page.waitForTimeout(500);
		const toolBot = await parameterText(page, 'botWxid');
		const toolSendTo = await parameterText(page, 'sendTo');
		const byModel = await page.getByText('Defined automatically by the').count();
		check(toolBot === '', `WeHub Tool: Bot WeChat ID is "${toolBot}", not empty`);
		check(toolSendTo.includes('Room or Person'), `WeHub Tool: Send To is "${toolSendTo}"`);
		check(byModel === 2, `WeHub Tool: ${byModel} fields defined by the model, not 2`);
		log(`WeHub Tool: Bot WeChat ID empty, Send To "${toolSendTo}", ID and Text from the model`);
		await page.screenshot({ path: join(OUT_DIR, 'wehub-tool-parameters.png') });

		await page.locator('[data-test-id="ndv-close-button"]').click();
		await page.locator('[data-test-id="zoom-to-fit"]').click();
		await page.waitForTimeout(800);
		await page.screenshot({ path: join(OUT_DIR, 'wehub-tool-agent.png') });
		log('docs/images/wehub-tool-parameters.png, docs/images/wehub-tool-agent.png');
		await context.close();
	} finally {
		await browser.close();
		await n8n.stop();
	}
}

run().catch((error) => {
	console.error(error);
	process.exit(1);
});
