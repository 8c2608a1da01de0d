import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { ensureOwner } from '../../../scripts/n8n/owner';
import { WeHubSimulator } from '../../../sim/WeHubSimulator';
import { startN8n, type N8nInstance } from '../harness';
import { PACKAGE_NAME, REPO_ROOT, nodesDir } from '../harness/runtime';
import {
	DEMO_APPID,
	DEMO_SECRET,
	demoCredential,
	demoWorkflow,
	pollUntil,
	textsTo,
	waitForTriggered,
} from '../fixtures/demoSession';
import { itPassesTheDemoSession } from './demoSessionSpec';
import { EditorSession, waitForWebhook, type InstalledPackage } from './editorRest';
import {
	INSTALL_TEST_N8N,
	interceptN8nRegistry,
	publishToLocalRegistry,
	type PublishedPackage,
	type RegistryInterceptor,
} from './localRegistry';

/**
 * n8n's own installer, the way users get this package: Settings → Community Nodes → Install (the
 * REST call behind it) and N8N_COMMUNITY_PACKAGES at start (how Docker deployments pin packages).
 * Both `npm pack` the package from a registry, drop its peer, dev and optional dependencies and
 * `npm install --ignore-scripts` the rest. The registry is a local verdaccio with the packed
 * package published to it; n8n reaches it under its default registry host through a loopback proxy
 * (pointing n8n elsewhere needs an enterprise licence). Each path then runs the demo session.
 */
const RUNTIME_DEPENDENCIES = Object.keys(
	(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson).dependencies,
).sort();
const NODE_TYPES = [`${PACKAGE_NAME}.weHub`, `${PACKAGE_NAME}.weHubTrigger`];

interface PackageJson {
	dependencies: Record<string, string>;
}

let published: PublishedPackage;
let interceptor: RegistryInterceptor;

beforeAll(async () => {
	published = await publishToLocalRegistry();
	interceptor = await interceptN8nRegistry(published.registry);
});

afterAll(async () => {
	await interceptor?.stop();
	await published?.stop();
});

/** Every folder named `name` under `dir`'s node_modules trees. */
function packageCopies(dir: string, name: string): string[] {
	const found: string[] = [];
	const walk = (modules: string) => {
		if (!existsSync(modules)) return;
		for (const entry of readdirSync(modules)) {
			const full = join(modules, entry);
			if (entry === name) found.push(full);
			if (entry.startsWith('@')) {
				for (const scoped of readdirSync(full)) walk(join(full, scoped, 'node_modules'));
			} else walk(join(full, 'node_modules'));
		}
	};
	walk(join(dir, 'node_modules'));
	return found;
}

/** The package as n8n's installer left it in the user folder. */
function installedPackageDir(n8n: N8nInstance): string {
	return join(nodesDir(n8n.userFolder), 'node_modules', PACKAGE_NAME);
}

function expectInstalledAsN8nDoes(n8n: N8nInstance): void {
	const dir = installedPackageDir(n8n);
	const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

	expect(manifest).toMatchObject({ name: PACKAGE_NAME, version: published.packed.version });
	expect(manifest).not.toHaveProperty('peerDependencies');
	expect(manifest).not.toHaveProperty('devDependencies');
	expect(Object.keys(manifest.dependencies).sort()).toEqual(RUNTIME_DEPENDENCIES);
	// no n8n-workflow of its own: the nodes use n8n's (n8n puts its node_modules on NODE_PATH)
	expect(packageCopies(nodesDir(n8n.userFolder), 'n8n-workflow')).toEqual([]);
	for (const dependency of RUNTIME_DEPENDENCIES) {
		expect(existsSync(join(dir, 'node_modules', dependency, 'package.json'))).toBe(true);
	}
	// --ignore-scripts: lmdb was never built; it loads the binary its platform package ships
	const lmdb = join(dir, 'node_modules', 'lmdb');
	expect(existsSync(join(lmdb, 'build'))).toBe(false);
	const prebuilt = packageCopies(dir, '@lmdb').flatMap((scope) =>
		readdirSync(scope).flatMap((platform) =>
			readdirSync(join(scope, platform)).filter((file) => file.endsWith('.node')),
		),
	);
	expect(prebuilt.length).toBeGreaterThan(0);
}

describe('Settings → Community Nodes → Install (POST /rest/community-packages)', () => {
	let n8n: N8nInstance;
	let editor: EditorSession;
	let installed: InstalledPackage;
	let workflowId: string;

	beforeAll(async () => {
		n8n = await startN8n({ version: INSTALL_TEST_N8N, linkPackage: false, env: interceptor.env });
		const owner = await ensureOwner(n8n.baseUrl, { userFolder: n8n.userFolder });
		editor = new EditorSession(n8n, owner.cookie);
		installed = await editor.installCommunityPackage(PACKAGE_NAME, published.packed.version);
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('installs the published version and lists both nodes', () => {
		expect(installed).toMatchObject({
			packageName: PACKAGE_NAME,
			installedVersion: published.packed.version,
		});
		expect(installed.installedNodes.map((node) => node.type).sort()).toEqual(NODE_TYPES);
	});

	it('fetched the package and its dependencies from the registry, by n8n default registry host', () => {
		const tarball = `GET /${PACKAGE_NAME}/-/${published.packed.filename}`;

		expect(interceptor.requests()).toContain(tarball);
		expect(interceptor.requests()).toEqual(
			expect.arrayContaining(RUNTIME_DEPENDENCIES.map((name) => `GET /${name}`)),
		);
	});

	it('installs it without peer, dev or optional dependencies and without running install scripts', () => {
		expectInstalledAsN8nDoes(n8n);
	});

	describe('the demo workflow, created and activated in the same running n8n', () => {
		beforeAll(async () => {
			const credentialId = await editor.createCredential(demoCredential);
			workflowId = await editor.createActiveWorkflow(demoWorkflow(), credentialId, 'wehub');
		});

		itPassesTheDemoSession(() => ({ n8n, workflowId }));
	});

	it('loads the package again after a restart and still hands out a pong queued before it', async () => {
		const bot = new WeHubSimulator({
			callbackUrl: n8n.webhookUrl('wehub'),
			appid: DEMO_APPID,
			wxid: 'wxid_installed_restart_bot',
			secretKey: DEMO_SECRET,
			seed: 4242,
		});
		try {
			await bot.login();
			await bot.reportContact({ friends: 2, groups: 0 });
			const friend = bot.contacts.friends[0].wxid;
			await bot.sendMessage('text', { text: 'ping', from: friend });
			await waitForTriggered(n8n, workflowId, (item) => item.from_wxid === friend);

			await n8n.restart();
			await waitForWebhook(n8n, 'wehub');
			await pollUntil(bot, () => textsTo(bot, friend).length > 0);

			expect(await editor.listCommunityPackages()).toEqual([
				expect.objectContaining({ packageName: PACKAGE_NAME }),
			]);
			expect(await n8n.nodeTypes()).toEqual(expect.arrayContaining(NODE_TYPES));
			expect(textsTo(bot, friend)).toEqual(['pong']);
			expect(bot.violations).toEqual([]);
		} finally {
			await bot.close();
		}
	});
});

describe('N8N_COMMUNITY_PACKAGES at start (how Docker deployments pin the package)', () => {
	let n8n: N8nInstance;
	const pinned = () => JSON.stringify([{ name: PACKAGE_NAME, version: published.packed.version }]);
	const installations = () => (n8n.logs().match(/Installed community package/g) ?? []).length;

	beforeAll(async () => {
		// Imported and activated before the first start, as a volume or a CLI import would have it:
		// n8n installs the package before it activates the workflow.
		n8n = await startN8n({
			version: INSTALL_TEST_N8N,
			linkPackage: false,
			credentials: [demoCredential],
			workflows: [demoWorkflow()],
			env: {
				...interceptor.env,
				N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true',
				N8N_COMMUNITY_PACKAGES: pinned(),
			},
		});
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('installs the pinned version before activating workflows: the demo trigger is live on the first start', async () => {
		expect(installations()).toBe(1);
		expect(await n8n.nodeTypes()).toEqual(expect.arrayContaining(NODE_TYPES));
	});

	it('installs it without peer, dev or optional dependencies and without running install scripts', () => {
		expectInstalledAsN8nDoes(n8n);
	});

	describe('the demo workflow', () => {
		itPassesTheDemoSession(() => ({ n8n, workflowId: n8n.workflowIds[0] }));
	});

	it('keeps the installed package at the next start instead of installing it again', async () => {
		const tarball = `GET /${PACKAGE_NAME}/-/${published.packed.filename}`;
		const downloads = interceptor.requests().filter((request) => request === tarball).length;

		await n8n.restart();

		expect(installations()).toBe(1);
		expect(interceptor.requests().filter((request) => request === tarball)).toHaveLength(downloads);
		expect(await n8n.nodeTypes()).toEqual(expect.arrayContaining(NODE_TYPES));
	});
});
