import { startVerdaccio, type LocalRegistry } from '../../../scripts/registry/verdaccio';
import { publishPackage, type PackedPackage } from '../../../scripts/registry/publish';
import {
	n8nPackagesRegistry,
	startRegistryInterceptor,
	type RegistryInterceptor,
} from '../../../scripts/registry/interceptor';
import { forgetGroup, registerGroup } from '../harness/processRegistry';
import { DEFAULT_N8N_VERSION, PACKAGE_NAME, runtimePaths } from '../harness/runtime';

export type { LocalRegistry, PackedPackage, RegistryInterceptor };

/**
 * The n8n the install tests run, whatever N8N_VERSION says: the pinned 2.x, whose installer they
 * were written against (N8N_COMMUNITY_PACKAGES exists from 2.21 on).
 */
export const INSTALL_TEST_N8N = DEFAULT_N8N_VERSION;

export interface PublishedPackage {
	registry: LocalRegistry;
	/** What `npm pack` put in the tarball that was published. */
	packed: PackedPackage;
	stop(): Promise<void>;
}

/**
 * A local verdaccio (uplinked to the registry this machine's npm uses) with this package, as
 * `npm pack` builds it from dist/, published to it. Its process group is recorded, so
 * globalTeardown stops it if a test file crashes.
 */
export async function publishToLocalRegistry(): Promise<PublishedPackage> {
	const registry = await startVerdaccio({
		packageName: PACKAGE_NAME,
		hooks: { spawned: registerGroup, exited: forgetGroup },
		log: (message) => console.log(`[e2e registry] ${message}`),
	});
	try {
		const packed = await publishPackage(registry);
		return { registry, packed, stop: () => registry.stop() };
	} catch (error) {
		await registry.stop();
		throw error;
	}
}

/**
 * The proxy that lets an unlicensed n8n's installer, which only asks its default registry, reach
 * the local one (see scripts/registry/interceptor.js). Pass `env` to the n8n process.
 */
export function interceptN8nRegistry(registry: LocalRegistry): Promise<RegistryInterceptor> {
	return startRegistryInterceptor({
		registryUrl: n8nPackagesRegistry(runtimePaths(INSTALL_TEST_N8N)),
		target: registry.url,
	});
}
