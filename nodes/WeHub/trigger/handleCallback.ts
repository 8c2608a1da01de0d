import { buildAck, buildErrorAck, buildTaskResultAck } from '../protocol/ack';
import { normaliseMessage } from '../protocol/message';
import {
	MAX_ID_BYTES,
	parseRequest,
	type KnownWeHubRequest,
	type ReadingNotes,
	type RequestError,
	type WeHubRequest,
} from '../protocol/request';
import { acceptFriendRequestTask, TASK_TYPE_NAMES } from '../protocol/tasks';
import type {
	ExtensionProtocol,
	LoginData,
	ReportFriendAddRequestData,
	ReportMsgUnit,
	ReportTaskResultData,
	WeHubAck,
} from '../protocol/types';
import { LATER_CLIENT_VERSION, laterClientEvidence } from '../protocol/version';
import { botAllowed, type WeHubSettings } from '../shared/settings';
import type { BotPresence, BotRef, FileRecord, TaskStore } from '../store/TaskStore';
import { EVENT_OF_ACTION, isEventSelected } from './events';
import { INBOX_FULL_REASON, keepInInbox, newDeliveryId, type InboxConfig } from './inbox';
import { friendRequestRecord, readFriendRequest } from './friendRequest';
import {
	arrayOf,
	contactItems,
	contactUpdateItems,
	item,
	roomMemberItems,
	withNotes,
	type ItemBase,
	type TriggerItem,
} from './items';
import { decideLogin, notAllowedReason } from './login';
import { messagePassesFilter, replyTarget } from './messageFilter';
import type { TriggerOptions } from './options';
import { errorMessage } from '../shared/errorMessage';

/** Everything a callback needs besides its body; built by the n8n node or by a plain listener. */
export interface CallbackContext {
	settings: WeHubSettings;
	/** Opened lazily so that a store failure is answered as a JSON ack like any other failure. */
	store: () => Promise<TaskStore>;
	options: TriggerOptions;
	/** The listener's WebSocket, when it offers one to clients that can use it (0.4.2+). */
	webSocket?: WebSocketOffer;
	/** Keep emitted items until their execution ends (listener mode's Durable Delivery). */
	inbox?: InboxConfig;
	/** Epoch milliseconds; tests pin it. */
	now?: number;
}

/** How a login learns of the WebSocket, and a logout ends its token. */
export interface WebSocketOffer {
	/** What the login_ack tells this client (undefined: keep polling over HTTP). */
	offer(bot: BotRef, clientVersion: string | undefined): Promise<ExtensionProtocol | undefined>;
	forget(bot: BotRef): Promise<void>;
}

/**
 * The ack and the items to emit (no items = start no execution). Every ack is sent with HTTP 200:
 * `error_code` says what went wrong, since WeHub shows `error_reason` only from answers it reads.
 */
export interface CallbackOutcome {
	ack: WeHubAck;
	items: TriggerItem[];
	/** The inbox entry holding the items, when the context keeps them. */
	deliveryId?: string;
}

interface Handling {
	request: WeHubRequest;
	bot: BotRef;
	store: TaskStore;
	ctx: CallbackContext;
	now: number;
	base: ItemBase;
	/** Whether the user picked this action's event; acks are sent either way. */
	emits: boolean;
	/** What parsing noticed (skipped list entries, flags), for the items. */
	notes: ReadingNotes;
	/** The inbox entry this callback's items will be kept under (idempotency keys derive from it). */
	deliveryId?: string;
}

type ActionResult = { ack: WeHubAck; items: TriggerItem[] };

/**
 * Answers one WeHub callback. Never throws and never answers without a JSON ack: malformed
 * bodies, a foreign appid and store failures all become `error_code != 0` acks (the HTTP-like
 * status as error_code, as protocol's buildErrorAck does), shaped for the client's version as
 * far as it is known (the body, the bot's presence, or fields only 0.2+ clients send).
 */
export async function handleCallback(
	body: Buffer | string,
	ctx: CallbackContext,
	/** A frame from a bot's WebSocket: it may speak for that bot only. */
	socketOf?: BotRef,
): Promise<CallbackOutcome> {
	const parsed = parseRequest(body);
	if (!parsed.ok) return await refused(parsed.error, ctx);
	const request = parsed.request;
	const evidence = laterClientEvidence(request);
	const bodyVersion = bodyClientVersion(request);
	if (request.appid !== ctx.settings.appid) {
		const version = await knownClientVersion(ctx, request.wxid, bodyVersion, evidence);
		return failure(request.action, version, 403, `unknown appid ${JSON.stringify(request.appid)}`);
	}
	if (socketOf && request.wxid !== socketOf.wxid) {
		const version = await knownClientVersion(ctx, socketOf.wxid, bodyVersion, evidence);
		return failure(
			request.action,
			version,
			403,
			`this WebSocket belongs to ${socketOf.wxid}; ${request.wxid.slice(0, 64)} must log in over HTTP for its own`,
		);
	}
	const allowed = botAllowed(ctx.settings, request.wxid);
	if (request.action === 'pull_task' && !allowed) {
		// No store access at all: a wxid Allowed Bots refuses gets no presence and no task.
		return failure('pull_task', undefined, 403, notAllowedReason(request.wxid));
	}

	let store: TaskStore;
	try {
		store = await ctx.store();
	} catch (error) {
		const version = answerVersion(bodyVersion, null, evidence);
		return failure(request.action, version, 503, `task store unavailable: ${errorMessage(error)}`);
	}

	const now = ctx.now ?? Date.now();
	const bot: BotRef = { appid: request.appid, wxid: request.wxid };
	let clientVersion: string | undefined = bodyVersion;
	try {
		if (request.action === 'pull_task') return await pullTask(store, bot, now);
		const presence = request.action === 'login' ? null : await store.getBot(bot);
		clientVersion = answerVersion(bodyVersion, presence, evidence);
		if (evidence && !bodyVersion && allowed && request.action !== 'login') {
			if (!presence?.client_version && !presence?.min_client_version) {
				// Remembered once, so that later callbacks without such fields are answered alike.
				await store.recordMinClientVersion(bot, LATER_CLIENT_VERSION, now);
			}
		}
		const event = request.known ? EVENT_OF_ACTION[request.action] : 'unknown_action';
		const handling: Handling = {
			request,
			bot,
			store,
			ctx,
			now,
			base: { appid: bot.appid, bot_wxid: bot.wxid, received_at: new Date(now).toISOString() },
			emits: event !== null && isEventSelected(ctx.options.events, event),
			notes: request.known ? { skipped: request.skipped, flags: request.flags } : {},
			deliveryId: ctx.inbox ? newDeliveryId() : undefined,
		};
		const outcome = await handleAction(handling, clientVersion, presence);
		if (!ctx.inbox || !handling.deliveryId || outcome.items.length === 0) return outcome;
		// The items are durable before WeHub hears "ok": a process dying now loses nothing.
		const kept = await keepInInbox(store, ctx.inbox, handling.deliveryId, outcome.items, now);
		if (kept === 'full') return failure(request.action, clientVersion, 503, INBOX_FULL_REASON);
		return { ...outcome, deliveryId: handling.deliveryId };
	} catch (error) {
		return failure(request.action, clientVersion, 500, `internal error: ${errorMessage(error)}`);
	}
}

/** A body that did not parse, answered in the shape its client expects when that is known. */
async function refused(error: RequestError, ctx: CallbackContext): Promise<CallbackOutcome> {
	const version = await knownClientVersion(ctx, error.wxid, error.clientVersion, error.laterClient);
	return { ack: buildErrorAck(error, version), items: [] };
}

/**
 * The version an answer is shaped for: the body's own, else what the store knows of the bot (it
 * logged in, or its fields showed a later client before), else 0.2.0 when the body has a field
 * only later clients send. A store that cannot answer only costs the lookup.
 */
async function knownClientVersion(
	ctx: CallbackContext,
	wxid: string | undefined,
	bodyVersion: string | undefined,
	evidence: string | undefined,
): Promise<string | undefined> {
	if (bodyVersion) return bodyVersion;
	let presence: BotPresence | null = null;
	if (wxid && Buffer.byteLength(wxid) <= MAX_ID_BYTES) {
		try {
			const store = await ctx.store();
			presence = await store.getBot({ appid: ctx.settings.appid, wxid });
		} catch {
			presence = null;
		}
	}
	return answerVersion(undefined, presence, evidence);
}

/** The body's version, else the one the bot's presence remembers, else 0.2.0 on evidence. */
function answerVersion(
	bodyVersion: string | undefined,
	presence: BotPresence | null,
	evidence: string | undefined,
): string | undefined {
	return (
		bodyVersion ??
		presence?.client_version ??
		presence?.min_client_version ??
		(evidence ? LATER_CLIENT_VERSION : undefined)
	);
}

/** The hot path: one store round trip, no items, nothing else written. */
async function pullTask(store: TaskStore, bot: BotRef, now: number): Promise<CallbackOutcome> {
	const { task, bot: presence } = await store.poll(bot, now);
	const data = task ? { task_id: task.task_id, task_data: task.task } : {};
	return {
		ack: buildAck('pull_task', presence.client_version, { data }),
		items: [],
	};
}

async function handleAction(
	h: Handling,
	clientVersion: string | undefined,
	presence: BotPresence | null,
): Promise<ActionResult> {
	const { request, base, ctx, notes } = h;
	const ok = (items: TriggerItem[] = []): ActionResult => ({
		ack: buildAck(request.action, clientVersion),
		items: h.emits ? items : [],
	});
	if (!request.known) {
		return ok([item('unknown_action', base, { action: request.action, data: request.data })]);
	}
	const known: KnownWeHubRequest = request;
	switch (known.action) {
		case 'login':
			return await login(h, known.data, clientVersion);
		case 'logout':
			await h.store.recordLogout(h.bot, h.now);
			await h.ctx.webSocket?.forget(h.bot);
			return ok([item('logout', base, { ...known.data })]);
		case 'report_contact':
			return ok(h.emits ? contactItems(known.data, base, ctx.options.splitContacts, notes) : []);
		case 'report_contact_update':
			return ok(
				h.emits ? contactUpdateItems(known.data, base, ctx.options.splitContacts, notes) : [],
			);
		case 'report_new_friend': {
			const friend = known.data;
			return ok([
				withNotes(
					item('new_friend', base, {
						...friend,
						friend_wxid: friend.fans_wxid,
						reply_to: friend.fans_wxid,
					}),
					notes,
				),
			]);
		}
		case 'report_friend_add_request':
			return await friendRequest(h, known.data, ok);
		case 'report_friend_removed': {
			const removed = known.data;
			return ok([item('friend_removed', base, { ...removed, friend_wxid: removed.wxid_removed })]);
		}
		case 'report_new_msg':
			return ok(await messages(h, known.units, presence));
		case 'report_room_member_info':
			return ok(
				h.emits ? roomMemberItems(known.data, base, ctx.options.splitRoomMembers, notes) : [],
			);
		case 'report_room_member_change': {
			const change = known.data;
			return ok([
				withNotes(
					item('room_member_change', base, {
						...change,
						change: change.flag === 1 ? 'joined' : change.flag === 0 ? 'left' : 'unknown',
						member_wxids: arrayOf<string>(change.wxid_list),
					}),
					notes,
				),
			]);
		}
		case 'report_new_room': {
			const room = known.data;
			return ok([
				withNotes(
					item('new_room', base, {
						...room,
						room_wxid: room.wxid,
						member_count: arrayOf(room.memberInfo_list).length,
					}),
					notes,
				),
			]);
		}
		case 'report_room_removed': {
			const removed = known.data;
			return ok([item('room_removed', base, { ...removed, room_wxid: removed.wxid_removed })]);
		}
		case 'pull_task':
			// Answered before any other lookup (see handleCallback); kept for exhaustiveness.
			return { ack: (await pullTask(h.store, h.bot, h.now)).ack, items: [] };
		case 'report_task_result':
			return await taskResult(h, known.data, clientVersion);
		case 'report_zoom_check_status': {
			const check = known.data;
			return ok([
				item('zombie_check', base, {
					friend_wxid: check.wxid,
					result: check.result,
					status: ZOMBIE_STATUS[Number(check.result)] ?? 'unknown',
				}),
			]);
		}
		case 'report_user_info':
			return ok([item('user_info', base, { ...known.data })]);
		default: {
			const unhandled: never = known;
			throw new Error(`unhandled action ${String(unhandled)}`);
		}
	}
}

const ZOMBIE_STATUS: Record<number, string> = { 0: 'normal', 1: 'blocked_me', 2: 'deleted_me' };

async function login(
	h: Handling,
	loginData: LoginData,
	clientVersion: string | undefined,
): Promise<ActionResult> {
	const decision = decideLogin(h.bot.wxid, loginData, h.ctx.settings, h.ctx.options);
	if (!decision.accepted) {
		// 200, not 403: WeHub only shows error_reason to its user when it can read the answer.
		return {
			ack: buildAck('login', clientVersion, { errorCode: 403, errorReason: decision.reason }),
			items: [],
		};
	}
	await h.store.recordLogin(
		h.bot,
		{
			nickname: loginData.nickname,
			wx_alias: loginData.wx_alias,
			head_img: loginData.head_img,
			client_version: loginData.client_version,
			machine_id: loginData.machine_id,
		},
		h.now,
	);
	const { nonce: _nonce, ...details } = loginData;
	const webSocket = await h.ctx.webSocket?.offer(h.bot, loginData.client_version);
	const data = webSocket ? { ...decision.data, extension_protocol: webSocket } : decision.data;
	return {
		ack: buildAck('login', clientVersion, { data: { ...data } }),
		items: h.emits
			? [item('login', h.base, { ...details, signed: 'signature' in decision.data })]
			: [],
	};
}

/**
 * Remembered so an action node can accept it later by requester wxid. Auto-accept always goes
 * through the queue (task 13), also for 0.1.5 clients whose ack could accept directly with
 * `op_code: 1`: only the queue applies the daily cap and pacing that keep accounts from bans.
 */
async function friendRequest(
	h: Handling,
	requestData: ReportFriendAddRequestData,
	ok: (items: TriggerItem[]) => ActionResult,
): Promise<ActionResult> {
	const request = readFriendRequest(requestData);
	await h.store.rememberFriendRequest(friendRequestRecord(h.bot.appid, h.bot.wxid, request, h.now));
	let autoAcceptTaskId: string | undefined;
	if (h.ctx.options.autoAcceptFriendRequests && request.v1 && request.v2) {
		const queued = await h.store.enqueue(h.bot, acceptFriendRequestTask(request.v1, request.v2), {
			meta: { source: 'trigger_auto_accept', requester_wxid: request.requester_wxid },
			...(h.deliveryId && { idempotencyKey: `${h.deliveryId}/auto_accept` }),
		});
		autoAcceptTaskId = queued.task_id;
	}
	return ok([
		withNotes(
			item('friend_request', h.base, {
				...request,
				auto_accept_task_id: autoAcceptTaskId ?? null,
			}),
			h.notes,
		),
	]);
}

/**
 * Every unit is normalised and its file remembered (so uploads can be matched), then filtered.
 * The files of one callback are written together: one commit, not one per unit.
 */
async function messages(
	h: Handling,
	units: ReportMsgUnit[],
	presence: BotPresence | null,
): Promise<TriggerItem[]> {
	const items: TriggerItem[] = [];
	const files: FileRecord[] = [];
	const botIdentity = { wxid: h.bot.wxid, nickname: presence?.nickname };
	for (const unit of units) {
		const message = normaliseMessage(unit, h.bot.wxid);
		if (message.file_index) {
			files.push({
				appid: h.bot.appid,
				bot_wxid: h.bot.wxid,
				file_index: message.file_index,
				state: 'reported',
				kind: message.kind,
				msg_type: message.msg_type,
				msg_id: message.msg_id ?? undefined,
				room_wxid: message.room_wxid ?? undefined,
				from_wxid: message.from_wxid,
				reported_at: h.now,
			});
		}
		if (h.emits && messagePassesFilter(message, h.ctx.options.messageFilter, botIdentity)) {
			items.push(
				withNotes(item('message', h.base, { ...message, reply_to: replyTarget(message) }), h.notes),
			);
		}
	}
	if (files.length > 0) await h.store.rememberFiles(files);
	return items;
}

async function taskResult(
	h: Handling,
	result: ReportTaskResultData,
	clientVersion: string | undefined,
): Promise<ActionResult> {
	const taskId = String(result.task_id);
	const success = Number(result.task_result) === 1;
	const errorReason = typeof result.error_reason === 'string' ? result.error_reason : '';
	const record = await h.store.complete(
		h.bot.appid,
		taskId,
		success,
		errorReason || undefined,
		h.now,
	);
	const task = record?.task;
	const items = h.emits
		? [
				item('task_result', h.base, {
					task_id: taskId,
					success,
					error_reason: errorReason,
					known_task: record !== null,
					task_type: task?.task_type ?? null,
					task_name: task ? TASK_TYPE_NAMES[task.task_type] : null,
					task_dict: task?.task_dict ?? null,
					target: task ? taskTarget(task.task_dict) : null,
					state: record?.state ?? null,
					queued_at: record ? new Date(record.created_at).toISOString() : null,
					meta: record?.meta ?? null,
				}),
			]
		: [];
	return { ack: buildTaskResultAck(taskId, clientVersion), items };
}

/** The chat or person a task acted on, for "which conversation did this fail in". */
function taskTarget(dict: object): string | null {
	const fields = dict as Record<string, unknown>;
	for (const name of ['wxid_to', 'room_wxid', 'wxid', 'wxid_from', 'wxid_delete']) {
		const value = fields[name];
		if (typeof value === 'string' && value !== '') return value;
	}
	return null;
}

/** `data.client_version` (login, logout). */
function bodyClientVersion(request: WeHubRequest): string | undefined {
	const fromBody = (request.data as { client_version?: unknown } | null)?.client_version;
	return typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined;
}

function failure(
	action: string,
	clientVersion: string | undefined,
	errorCode: number,
	reason: string,
): CallbackOutcome {
	return {
		ack: buildAck(action, clientVersion, { errorCode, errorReason: reason }),
		items: [],
	};
}
