import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SIM = path.join(__dirname, '..', '..', 'sim');

/** Every module specifier that a sim/ TypeScript file imports or requires. */
function importsOf(file: string): string[] {
	const source = readFileSync(path.join(SIM, file), 'utf8');
	return [...source.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)['"]([^'"]+)['"]/g)].map(
		(match) => match[1],
	);
}

describe('the simulator as an independent oracle', () => {
	const files = readdirSync(SIM).filter((file) => file.endsWith('.ts'));

	it('has modules to check', () => {
		expect(files).toEqual(expect.arrayContaining(['WeHubSimulator.ts', 'clientVersion.ts']));
	});

	it.each(files)('%s imports only node built-ins, packages and sim/ itself', (file) => {
		const outside = importsOf(file).filter(
			(specifier) => specifier.startsWith('.') && specifier.split('/').includes('..'),
		);
		expect(outside).toEqual([]);
		expect(importsOf(file).filter((specifier) => /nodes\/|protocol/.test(specifier))).toEqual([]);
	});
});
