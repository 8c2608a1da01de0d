/** Unit tests run on the machine's Node; end-to-end tests start a real n8n (see test/e2e). */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }];

module.exports = {
	collectCoverageFrom: ['nodes/**/*.ts', 'credentials/**/*.ts', 'sim/**/*.ts', '!**/*.d.ts'],
	coverageReporters: ['text-summary', 'lcov'],
	coverageThreshold: {
		'./nodes/WeHub/protocol/': { lines: 90 },
	},
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/**/*.test.ts'],
			testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
		},
		{
			displayName: 'e2e',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			// Installs the pinned n8n once (minutes on a fresh clone) and builds dist/ when stale.
			globalSetup: '<rootDir>/test/e2e/harness/globalSetup.ts',
			globalTeardown: '<rootDir>/test/e2e/harness/globalTeardown.ts',
			// Each startN8n boots n8n several times (imports, activation, start): tens of seconds.
			setupFilesAfterEnv: ['<rootDir>/test/e2e/harness/jestTimeout.ts'],
		},
	],
};
