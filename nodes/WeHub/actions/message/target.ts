import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import type { BotRef } from '../../store/TaskStore';
import { stringParameter } from '../shared/parameters';

export interface SendTarget {
	wxid: string;
	/** The parameter the target came from, for error messages. */
	label: string;
}

/**
 * Where a send goes: the chat of the input item (`reply_to`, set by the WeHub Trigger) or the
 * given wxid. Refuses the bot itself, and answering the bot's own messages: WeHub reports every
 * message the bot sends, so such a reply loops and WeChat bans fast senders.
 */
export function sendTarget(this: IExecuteFunctions, itemIndex: number, bot: BotRef): SendTarget {
	const fail = (message: string, description: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex, description });
	const sendTo = this.getNodeParameter('sendTo', itemIndex, 'sameChat') as string;

	let target: SendTarget;
	if (sendTo === 'sameChat') {
		const json = this.getInputData()[itemIndex]?.json ?? {};
		if (json.is_self === true) {
			throw fail(
				'Send To "Same Chat as Input Item": the input item is a message the bot sent itself; answering it would loop',
				'Filter out items with is_self = true before this node (the WeHub Trigger can drop them), or choose Send To "Room or Person"',
			);
		}
		const replyTo = typeof json.reply_to === 'string' ? json.reply_to.trim() : '';
		if (!replyTo) {
			throw fail(
				'Send To "Same Chat as Input Item": the input item has no reply_to',
				'Use items of the WeHub Trigger’s message events, or choose Send To "Room or Person" and give a wxid',
			);
		}
		target = { wxid: replyTo, label: 'Send To (reply_to of the input item)' };
	} else {
		target = { wxid: stringParameter.call(this, 'toWxid', itemIndex), label: 'Room or Person ID' };
	}

	if (target.wxid === bot.wxid) {
		throw fail(
			`${target.label}: "${target.wxid}" is the bot itself`,
			'A bot cannot send messages to itself: WeHub reports them back and the flow would loop. Send to a room or another person.',
		);
	}
	return target;
}
