/** Command-line options of `wehub-sim`, parsed by hand (no CLI framework). */

export const USAGE = `wehub-sim: play one or more WeHub clients against a callback URL

Usage:
  wehub-sim --url <callback url> --appid <appid> [options]

Options:
  --url <url>            callback URL WeHub POSTs to (required)
  --upload-url <url>     where task 9 uploads go (default: <url>/upload)
  --appid <appid>        the appid sent with every request (required)
  --secret <key>         check the login answer's signature with this secret key
  --wxid <wxid>          the bot's wxid (default wxid_bot1); with --bots, numbered from it
  --bots <n>             how many bots to run at once (default 1)
  --client <version>     WeHub client version to play, e.g. 0.1.5 or 0.4.26 (default 0.4.26);
                         a build such as 0.3.8.1 plays 0.3.8
  --scenario <name|path> a built-in scenario (demo) or a scenario JSON file
  --poll <seconds>       pull_task interval (default 1); without --scenario: log in,
                         report contacts, poll for --duration, log out (on a WebSocket the
                         server pushes tasks instead: no pull_task is sent)
  --duration <seconds>   how long to poll without a scenario (default 30)
  --friends <n>          friends to report without a scenario (default 10)
  --groups <n>           rooms to report without a scenario (default 2)
  --content-type <type>  json (default), text, none, or a literal Content-Type
  --fail-tasks <types>   report these task types as failed, e.g. 3,9
  --no-websocket         stay on HTTP when login_ack offers a WebSocket (extension_protocol;
                         clients 0.4.2 and later follow it by default)
  --heartbeat-key <key>  the WebSocket heartbeat's key: atcion (default, as WeHub's document
                         spells it) or action
  --seed <n>             seed for generated contacts and messages (reproducible runs)
  --quiet                print only the summary
  --json                 print the summary as JSON
  --help                 show this help

Exit status: 0 when every bot finished with zero protocol violations, 1 otherwise, 2 on usage errors.`;

export interface CliOptions {
	url: string;
	uploadUrl?: string;
	appid: string;
	secret?: string;
	wxid: string;
	bots: number;
	client: string;
	scenario?: string;
	pollSeconds: number;
	durationSeconds: number;
	friends: number;
	groups: number;
	contentType: string | null;
	failTasks: number[];
	seed?: number;
	/** false with --no-websocket. */
	webSocket: boolean;
	heartbeatKey: 'atcion' | 'action';
	quiet: boolean;
	json: boolean;
	help: boolean;
}

export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'UsageError';
	}
}

const VALUE_FLAGS = new Set([
	'url',
	'upload-url',
	'appid',
	'secret',
	'wxid',
	'bots',
	'client',
	'scenario',
	'poll',
	'duration',
	'friends',
	'groups',
	'content-type',
	'fail-tasks',
	'seed',
	'heartbeat-key',
]);
const BOOLEAN_FLAGS = new Set(['quiet', 'json', 'help', 'no-websocket']);

function number(flag: string, value: string, min: number): number {
	const parsed = Number(value);
	if (!Number.isFinite(parsed) || parsed < min)
		throw new UsageError(`--${flag} needs a number >= ${min}, got "${value}"`);
	return parsed;
}

function contentType(value: string): string | null {
	if (value === 'json') return 'application/json';
	if (value === 'text') return 'text/plain';
	if (value === 'none') return null;
	return value;
}

export function parseCliArgs(argv: string[]): CliOptions {
	const values: Record<string, string> = {};
	const flags = new Set<string>();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '-h') {
			flags.add('help');
			continue;
		}
		if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
		const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
		if (BOOLEAN_FLAGS.has(name)) flags.add(name);
		else if (VALUE_FLAGS.has(name)) {
			const value = inline ?? argv[++i];
			if (value === undefined) throw new UsageError(`--${name} needs a value`);
			values[name] = value;
		} else throw new UsageError(`unknown option --${name}`);
	}
	const help = flags.has('help');
	if (!help && !values.url) throw new UsageError('--url is required');
	if (!help && !values.appid) throw new UsageError('--appid is required');
	if (values.url && !/^https?:\/\//.test(values.url))
		throw new UsageError(`--url must be an http(s) URL, got "${values.url}"`);
	const heartbeatKey = values['heartbeat-key'] ?? 'atcion';
	if (heartbeatKey !== 'atcion' && heartbeatKey !== 'action')
		throw new UsageError(`--heartbeat-key is atcion or action, got "${heartbeatKey}"`);
	return {
		url: values.url ?? '',
		...(values['upload-url'] ? { uploadUrl: values['upload-url'] } : {}),
		appid: values.appid ?? '',
		...(values.secret !== undefined ? { secret: values.secret } : {}),
		wxid: values.wxid ?? 'wxid_bot1',
		bots: Math.floor(number('bots', values.bots ?? '1', 1)),
		client: values.client ?? '0.4.26',
		...(values.scenario ? { scenario: values.scenario } : {}),
		pollSeconds: number('poll', values.poll ?? '1', 0.05),
		durationSeconds: number('duration', values.duration ?? '30', 0),
		friends: Math.floor(number('friends', values.friends ?? '10', 0)),
		groups: Math.floor(number('groups', values.groups ?? '2', 0)),
		contentType: contentType(values['content-type'] ?? 'json'),
		failTasks: (values['fail-tasks'] ?? '')
			.split(',')
			.filter((part) => part.trim() !== '')
			.map((part) => number('fail-tasks', part.trim(), 1)),
		...(values.seed !== undefined ? { seed: number('seed', values.seed, 0) } : {}),
		webSocket: !flags.has('no-websocket'),
		heartbeatKey,
		quiet: flags.has('quiet'),
		json: flags.has('json'),
		help,
	};
}
