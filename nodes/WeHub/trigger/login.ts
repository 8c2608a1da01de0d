import { loginSignature } from '../protocol/signature';
import type { LoginAckData, LoginData } from '../protocol/types';
import { botAllowed, type WeHubSettings } from '../shared/settings';
import type { TriggerOptions } from './options';

export type LoginDecision =
	{ accepted: true; data: LoginAckData } | { accepted: false; reason: string };

/** Why a callback or a login of an account outside Allowed Bots is refused (shown in WeHub). */
export function notAllowedReason(wxid: string): string {
	return `WeChat account ${wxid} is not in the allowed bots of this WeHub app`;
}

/**
 * Whether an account may log in through this appid, and the signed answer when it may. The
 * reason of a refusal is shown to the WeHub user, so it says what to change.
 *
 * A nonce without a configured secret key is refused: WeHub checks the signature itself and would
 * reject an unsigned answer anyway, with a less helpful message.
 */
export function decideLogin(
	botWxid: string,
	data: LoginData,
	settings: Pick<WeHubSettings, 'allowedBots' | 'secretKey'>,
	options: Pick<TriggerOptions, 'reportContactFlag'> = {},
): LoginDecision {
	if (!botAllowed(settings, botWxid)) return { accepted: false, reason: notAllowedReason(botWxid) };
	// Which lists the next report_contact carries (0.4.9+; older clients ignore the option).
	const answer: LoginAckData =
		options.reportContactFlag === undefined
			? {}
			: { option: { flag_report_contact: options.reportContactFlag } };
	const nonce = typeof data.nonce === 'string' ? data.nonce : '';
	if (!nonce) return { accepted: true, data: answer };
	if (!settings.secretKey) {
		return {
			accepted: false,
			reason:
				'This WeHub client signs logins, but no secret key is set in the n8n WeHub API credential',
		};
	}
	return {
		accepted: true,
		data: { ...answer, signature: loginSignature(botWxid, nonce, settings.secretKey) },
	};
}
