/**
 * Scenarios: what a bot does, step by step, as JSON (sim/scenarios/*.json).
 *
 * Format:
 *   {
 *     "name": "demo",                        optional
 *     "description": "what it shows",        optional
 *     "steps": [ <step>, ... ]               run in order by every bot
 *   }
 * A step is an object with exactly one key, the step's name, whose value holds its parameters:
 *   {"login": {}}                            stops the scenario when the callback refuses the login
 *   {"logout": {}}
 *   {"reportContact": {"friends": 20, "groups": 3}}
 *   {"send": {"kind": "text", "room": 0, "text": "ping", "mentions": 1}}
 *        kind: text|image|voice|card|video|emoji|link|mini_program|transfer|file|system
 *              (the package's kind names; the earlier "miniProgram" is still accepted)
 *        room: a known room's index (0 = first reported room) or a room wxid; absent = private
 *        from: "self" (a message the bot sent) or a wxid; absent = a friend / a room member
 *        mentions (text in a room): how many members to @
 *        any other MessageOptions field (to, url, title, amount, fileName, roomInvite, ...)
 *   {"friendAddRequest": {"nickname": "小李", "notice_word": "我是小李"}}
 *   {"newFriend": {"nickname": "小李"}}
 *   {"roomMemberChange": {"room": 0, "flag": 1}}      flag 1 joined, 0 left
 *   {"newRoom": {"name": "新项目群", "memberCount": 4}}
 *   {"roomMemberInfo": {"rooms": [0]}}                 absent rooms = every known room
 *   {"poll": {"seconds": 10}}                          pull_task every poll interval, executing tasks;
 *                                                      on a WebSocket no pull_task: pushed tasks
 *                                                      are executed as they come for that long
 *   {"wait": {"ms": 500}}
 */
import { readFileSync } from 'node:fs';
import demo from './scenarios/demo.json';
import {
	MESSAGE_KINDS,
	messageKindNamed,
	type MessageKindName,
	type MessageOptions,
} from './messages';
import type { WeHubSimulator } from './WeHubSimulator';

export const STEP_NAMES = [
	'login',
	'logout',
	'reportContact',
	'send',
	'friendAddRequest',
	'newFriend',
	'roomMemberChange',
	'newRoom',
	'roomMemberInfo',
	'poll',
	'wait',
] as const;

export type StepName = (typeof STEP_NAMES)[number];
export type Step = { name: StepName; params: Record<string, unknown> };

export interface Scenario {
	name: string;
	description: string;
	steps: Step[];
}

export const BUILT_IN_SCENARIOS: Record<string, unknown> = { demo };

export class ScenarioError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ScenarioError';
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed JSON scenario; throws a ScenarioError naming the first bad step. */
export function parseScenario(json: unknown, fallbackName = 'scenario'): Scenario {
	if (!isObject(json) || !Array.isArray(json.steps))
		throw new ScenarioError('a scenario is an object with a "steps" array');
	const steps = json.steps.map((raw, index): Step => {
		const where = `step ${index + 1}`;
		if (!isObject(raw) || Object.keys(raw).length !== 1)
			throw new ScenarioError(`${where}: a step is an object with exactly one key`);
		const [name, params] = Object.entries(raw)[0];
		if (!(STEP_NAMES as readonly string[]).includes(name)) {
			throw new ScenarioError(`${where}: unknown step "${name}" (known: ${STEP_NAMES.join(', ')})`);
		}
		if (!isObject(params))
			throw new ScenarioError(`${where}: the parameters of "${name}" must be an object`);
		if (name === 'send') {
			const kind = messageKindNamed(params.kind);
			if (!kind)
				throw new ScenarioError(`${where}: send needs a "kind" among ${MESSAGE_KINDS.join(', ')}`);
			// Steps carry the kind's own name, whichever name the file used.
			return { name, params: { ...params, kind } };
		}
		if (name === 'poll' && !(typeof params.seconds === 'number' && params.seconds >= 0))
			throw new ScenarioError(`${where}: poll needs "seconds"`);
		if (name === 'wait' && !(typeof params.ms === 'number' && params.ms >= 0))
			throw new ScenarioError(`${where}: wait needs "ms"`);
		return { name: name as StepName, params };
	});
	return {
		name: typeof json.name === 'string' ? json.name : fallbackName,
		description: typeof json.description === 'string' ? json.description : '',
		steps,
	};
}

/** A built-in scenario by name ("demo"), or a JSON file by path. */
export function loadScenario(nameOrPath: string): Scenario {
	const builtIn = BUILT_IN_SCENARIOS[nameOrPath];
	if (builtIn) return parseScenario(builtIn, nameOrPath);
	let text: string;
	try {
		text = readFileSync(nameOrPath, 'utf8');
	} catch (error) {
		throw new ScenarioError(`cannot read scenario ${nameOrPath}: ${(error as Error).message}`);
	}
	try {
		return parseScenario(JSON.parse(text), nameOrPath);
	} catch (error) {
		if (error instanceof ScenarioError) throw new ScenarioError(`${nameOrPath}: ${error.message}`);
		throw new ScenarioError(`${nameOrPath} is not valid JSON: ${(error as Error).message}`);
	}
}

export interface ScenarioRun {
	completed: boolean;
	/** Why it stopped early (a refused login). */
	stoppedAt?: { step: number; reason: string };
}

function roomRef(sim: WeHubSimulator, ref: unknown): string | undefined {
	if (ref === undefined || ref === false || ref === '') return undefined;
	if (typeof ref === 'string') return ref;
	const index = ref === true ? 0 : Number(ref);
	const group = sim.contacts.groups[index];
	if (!group)
		throw new ScenarioError(
			`room ${String(ref)} is not known (${sim.contacts.groups.length} rooms reported)`,
		);
	return group.wxid;
}

function messageOptions(sim: WeHubSimulator, params: Record<string, unknown>): MessageOptions {
	const { kind: _kind, room, from, mentions, ...rest } = params;
	const options: MessageOptions = { ...(rest as MessageOptions) };
	const roomWxid = roomRef(sim, room);
	if (roomWxid) options.room = roomWxid;
	if (from === 'self') options.from = sim.wxid;
	else if (typeof from === 'string') options.from = from;
	if (typeof mentions === 'number' && roomWxid) {
		const members = (sim.contacts.members.get(roomWxid) ?? []).filter((m) => m.wxid !== sim.wxid);
		options.mentions = members
			.slice(0, mentions)
			.map((m) => ({ wxid: m.wxid, name: m.room_nickname || m.nickname }));
	}
	return options;
}

/** Runs every step in order against one simulator. */
export async function runScenario(
	sim: WeHubSimulator,
	scenario: Scenario,
	onStep?: (step: Step, index: number) => void,
): Promise<ScenarioRun> {
	for (const [index, step] of scenario.steps.entries()) {
		onStep?.(step, index);
		const p = step.params;
		switch (step.name) {
			case 'login': {
				const result = await sim.login();
				if (!result.ok)
					return {
						completed: false,
						stoppedAt: { step: index + 1, reason: result.reason ?? 'login failed' },
					};
				break;
			}
			case 'logout':
				await sim.logout();
				break;
			case 'reportContact':
				await sim.reportContact({
					friends: Number(p.friends ?? 10),
					groups: Number(p.groups ?? 2),
					...(p.publicAccounts !== undefined ? { publicAccounts: Number(p.publicAccounts) } : {}),
				});
				break;
			case 'send':
				await sim.sendMessage(p.kind as MessageKindName, messageOptions(sim, p));
				break;
			case 'friendAddRequest':
				await sim.friendAddRequest(p as { nickname?: string; notice_word?: string });
				break;
			case 'newFriend':
				await sim.newFriend(p as { nickname?: string; notice_word?: string });
				break;
			case 'roomMemberChange':
				await sim.roomMemberChange({
					room: roomRef(sim, p.room ?? 0),
					...(Array.isArray(p.wxids) ? { wxids: p.wxids.map(String) } : {}),
					flag: p.flag === 0 ? 0 : 1,
				});
				break;
			case 'newRoom':
				await sim.newRoom(p as { name?: string; memberCount?: number });
				break;
			case 'roomMemberInfo':
				await sim.roomMemberInfo(
					Array.isArray(p.rooms) ? p.rooms.map((ref) => roomRef(sim, ref) ?? '') : undefined,
				);
				break;
			case 'poll':
				await sim.pollFor(Number(p.seconds) * 1000);
				break;
			case 'wait':
				await new Promise((resolve) => setTimeout(resolve, Number(p.ms)));
				break;
			default: {
				const unknownStep: never = step.name;
				throw new ScenarioError(`unknown step ${String(unknownStep)}`);
			}
		}
	}
	return { completed: true };
}
