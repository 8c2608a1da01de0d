// Lets plain `node` run the project's TypeScript without a build: `node -r <this file> x.ts`.
// Used by child processes in tests and by the benchmarks. Types are not checked here (tsc does
// that); each file is transpiled alone to CommonJS, as ts-jest does with isolatedModules.
'use strict';
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
	const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
		fileName: filename,
		compilerOptions: {
			module: ts.ModuleKind.CommonJS,
			target: ts.ScriptTarget.ES2022,
			esModuleInterop: true,
			inlineSourceMap: true,
		},
	});
	module._compile(outputText, filename);
};
