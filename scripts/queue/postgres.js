// A throw-away PostgreSQL for n8n's queue mode: Debian's server binaries, a fresh cluster in a
// temporary folder, trust authentication, loopback only, on a port of the caller's choice.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { startManagedProcess } = require('./managedProcess');

/** @import { ExecFileSyncOptions } from 'child_process' */
/** @import { ManagedProcess, ProcessHooks } from './managedProcess' */

/**
 * @typedef {object} RunningPostgres
 * @property {string} host
 * @property {number} port
 * @property {string} user
 * @property {string} database
 * @property {string} folder
 * @property {ManagedProcess} server
 * @property {(sql: string) => string[][]} query Runs SQL with psql; rows as arrays of strings.
 * @property {() => Record<string, string>} n8nEnv The env n8n needs to use this database.
 * @property {(options?: { removeFolder?: boolean }) => Promise<void>} stop Stops the server and,
 *   when `removeFolder` (default: when the folder was a fresh temporary one), deletes the cluster.
 */

const DEBIAN_POSTGRES_DIR = '/usr/lib/postgresql';
const DATABASE = 'n8n';
const USER = 'n8n';

/** The bin folder of the newest installed major version, or a message saying what to install. */
function findPostgresBin() {
	/** @type {string[]} */
	let versions = [];
	try {
		versions = fs
			.readdirSync(DEBIAN_POSTGRES_DIR)
			.filter((entry) => fs.existsSync(path.join(DEBIAN_POSTGRES_DIR, entry, 'bin', 'initdb')))
			.sort((a, b) => Number(b) - Number(a));
	} catch {
		// not installed
	}
	if (versions.length === 0) {
		throw new Error(
			`PostgreSQL server binaries not found (${DEBIAN_POSTGRES_DIR}/<version>/bin/initdb): ` +
				"install Debian's postgresql package (apt-get install postgresql); queue mode needs PostgreSQL",
		);
	}
	return path.join(DEBIAN_POSTGRES_DIR, versions[0], 'bin');
}

/**
 * initdb and postgres refuse to run as root: run them as Debian's postgres user then.
 * @param {string} folder Given to that user.
 * @returns {{ wrap: (command: string[]) => string[] }}
 */
function asServerUser(folder) {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { wrap: (c) => c };
	const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
	fs.chownSync(folder, uid, gid);
	return {
		wrap: (command) => [
			'setpriv',
			`--reuid=${uid}`,
			`--regid=${gid}`,
			'--init-groups',
			'--',
			...command,
		],
	};
}

/**
 * @param {string[]} commandLine
 * @param {ExecFileSyncOptions} [options]
 * @returns {string} Its stdout.
 */
function run([command, ...args], options = {}) {
	return execFileSync(command, args, { stdio: 'pipe', ...options }).toString();
}

/**
 * Creates a cluster under `folder` (a fresh temporary one by default), starts `postgres` on
 * 127.0.0.1:`port` and creates the n8n database. Durability is off (fsync): it is for tests and
 * local trials only.
 * @param {object} options
 * @param {number} options.port
 * @param {string} [options.folder]
 * @param {ProcessHooks} [options.hooks]
 * @param {(text: string) => void} [options.echo] Gets its output as it comes.
 * @returns {Promise<RunningPostgres>}
 */
async function startPostgres({ port, folder, hooks, echo }) {
	const bin = findPostgresBin();
	const root = folder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wehub-postgres-'));
	fs.mkdirSync(root, { recursive: true });
	const data = path.join(root, 'data');
	const user = asServerUser(root);
	const cwd = os.tmpdir(); // the server user may not enter the caller's folder
	if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
		run(
			user.wrap([
				path.join(bin, 'initdb'),
				`--pgdata=${data}`,
				`--username=${USER}`,
				'--auth=trust',
				'--encoding=UTF8',
				'--no-sync',
			]),
			{ cwd },
		);
	}
	const [command, ...args] = user.wrap([
		path.join(bin, 'postgres'),
		...['-D', data, '-p', String(port), '-k', root],
		...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
		...['-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
	]);
	const server = await startManagedProcess('postgres', command, args, {
		ready: async (handle) => /ready to accept connections/.test(handle.logs()),
		readyTimeoutMs: 60_000,
		hooks,
		echo,
	});
	const psqlArgs = ['-h', '127.0.0.1', '-p', String(port), '-U', USER];
	try {
		run([path.join(bin, 'createdb'), ...psqlArgs, DATABASE], { cwd });
	} catch (error) {
		if (!/already exists/.test(String(error.stderr))) throw error;
	}
	return {
		host: '127.0.0.1',
		port,
		user: USER,
		database: DATABASE,
		folder: root,
		server,
		/** Runs SQL with psql; rows as arrays of strings (unaligned, tab-separated). */
		query(sql) {
			const out = run([
				path.join(bin, 'psql'),
				...psqlArgs,
				'-d',
				DATABASE,
				'-At',
				'-F',
				'\t',
				'-v',
				'ON_ERROR_STOP=1',
				'-c',
				sql,
			]);
			return out
				.split('\n')
				.filter((line) => line !== '')
				.map((line) => line.split('\t'));
		},
		/** The env n8n needs to use this database. */
		n8nEnv() {
			return {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(port),
				DB_POSTGRESDB_DATABASE: DATABASE,
				DB_POSTGRESDB_USER: USER,
				DB_POSTGRESDB_PASSWORD: '',
			};
		},
		/** Stops the server (fast shutdown) and, when `removeFolder`, deletes the cluster. */
		async stop({ removeFolder = folder === undefined } = {}) {
			await server.kill('SIGINT');
			if (removeFolder) fs.rmSync(root, { recursive: true, force: true });
		},
	};
}

module.exports = { findPostgresBin, startPostgres };
