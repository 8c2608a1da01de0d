import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, join } from 'path';
import { WeHubSimulator } from '../../../sim/WeHubSimulator';
import { startN8n, type N8nInstance } from '../harness';
import { PACKAGE_NAME, REPO_ROOT, nodesDir, runtimePaths } from '../harness/runtime';
import {
	DEMO_APPID,
	DEMO_SECRET,
	demoCredential,
	demoWorkflow,
	pollUntil,
	textsTo,
} from '../fixtures/demoSession';
import { INSTALL_TEST_N8N, publishToLocalRegistry, type PublishedPackage } from './localRegistry';

/**
 * The README's "by hand with npm" command, run as written (in bash, `~` being a fresh home folder)
 * with the machine's npm on Node 20 and on the n8n runtime's Node 24, against a copy of the package
 * published to a local registry (`npm_config_registry`, as a user's npm configuration would name
 * their registry). n8n then loads what it installed and answers a ping with a pong.
 */
const NODE_TYPES = [`${PACKAGE_NAME}.weHub`, `${PACKAGE_NAME}.weHubTrigger`];

/** The commands of the first ```sh block after `heading` (comment lines dropped). */
function shellBlockAfter(markdown: string, heading: string): string[] {
	const start = markdown.indexOf(heading);
	if (start < 0) throw new Error(`README has no "${heading}"`);
	const block = /```sh\n([\s\S]*?)```/.exec(markdown.slice(start));
	if (!block) throw new Error(`README has no sh block after "${heading}"`);
	return block[1].split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
}

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const command = shellBlockAfter(readme, '- **By hand with npm**');

/** Bytes under `dir` (du -sb). */
function sizeOf(dir: string): number {
	return Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split('\t')[0]);
}

/** The environment of a user's shell: no npm_* variables of the `npm test` running this file. */
function userShellEnv(home: string, registryUrl: string, path: string): NodeJS.ProcessEnv {
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
	);
	const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
	return {
		...env,
		HOME: home,
		PATH: path,
		npm_config_registry: registryUrl,
		// the machine's npm cache, as this user's own would be
		npm_config_cache: cache,
		npm_config_update_notifier: 'false',
	};
}

let published: PublishedPackage;

beforeAll(async () => {
	published = await publishToLocalRegistry();
});

afterAll(async () => {
	await published?.stop();
});

it('gives one command in English and in 快速开始, with the flags that keep npm off the peer', () => {
	expect(command).toHaveLength(1);
	expect(command[0]).toMatch(/--legacy-peer-deps/);
	expect(shellBlockAfter(readme, '**1. 安装**')).toEqual(command);
});

const npms: Array<[string, () => string]> = [
	["Node 20's npm (the machine's)", () => process.env.PATH ?? ''],
	[
		"Node 24's npm (the n8n runtime's)",
		() => `${runtimePaths(INSTALL_TEST_N8N).nodeBinDir}${delimiter}${process.env.PATH}`,
	],
];

describe.each(npms)('the README command with %s', (label, pathFor) => {
	let home: string;
	let result: ReturnType<typeof spawnSync>;
	let n8n: N8nInstance | undefined;
	let nodeVersion: string;

	beforeAll(() => {
		home = mkdtempSync(join(tmpdir(), 'wehub-manual-install-'));
		const env = userShellEnv(home, published.registry.url, pathFor());
		nodeVersion = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
		const started = Date.now();
		result = spawnSync('bash', ['-euo', 'pipefail', '-c', command.join('\n')], {
			cwd: home,
			env,
			encoding: 'utf8',
			timeout: 300_000,
		});
		const installed = join(nodesDir(home), 'node_modules');
		console.log(
			`[e2e install] ${command[0]} on Node ${nodeVersion}: exit ${result.status} in ` +
				`${Date.now() - started} ms, ${(sizeOf(installed) / 1e6).toFixed(1)} MB installed`,
		);
	});

	afterAll(async () => {
		await n8n?.stop();
		rmSync(home, { recursive: true, force: true });
	});

	it('runs on the intended Node line', () => {
		expect(nodeVersion).toMatch(label.startsWith('Node 20') ? /^v20\./ : /^v24\./);
	});

	it('installs the published package into ~/.n8n/nodes, and no n8n-workflow', () => {
		const modules = join(nodesDir(home), 'node_modules');

		expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
		const manifest = JSON.parse(readFileSync(join(modules, PACKAGE_NAME, 'package.json'), 'utf8'));
		expect(manifest.version).toBe(published.packed.version);
		expect(existsSync(join(modules, 'n8n-workflow'))).toBe(false);
		expect(existsSync(join(modules, 'isolated-vm'))).toBe(false);
		expect(sizeOf(modules)).toBeLessThan(60e6);
	});

	it('is loaded by n8n, whose demo workflow then answers a ping with a pong', async () => {
		// ~ of the command is n8n's user folder: n8n loads ~/.n8n/nodes/node_modules
		n8n = await startN8n({
			version: INSTALL_TEST_N8N,
			userFolder: home,
			linkPackage: false,
			credentials: [demoCredential],
			workflows: [demoWorkflow()],
		});
		const bot = new WeHubSimulator({
			callbackUrl: n8n.webhookUrl('wehub'),
			appid: DEMO_APPID,
			wxid: 'wxid_manual_install_bot',
			secretKey: DEMO_SECRET,
			seed: 2020,
		});
		try {
			await bot.login();
			await bot.reportContact({ friends: 1, groups: 0 });
			const friend = bot.contacts.friends[0].wxid;
			await bot.sendMessage('text', { text: 'ping', from: friend });
			await pollUntil(bot, () => textsTo(bot, friend).length > 0);

			expect(await n8n.nodeTypes()).toEqual(expect.arrayContaining(NODE_TYPES));
			expect(textsTo(bot, friend)).toEqual(['pong']);
			expect(bot.violations).toEqual([]);
		} finally {
			await bot.close();
		}
	});
});
