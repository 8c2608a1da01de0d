import type { IExecuteFunctions } from 'n8n-workflow';

import { parseWxidList } from '../../shared/settings';

/** A string parameter, trimmed; numbers from expressions are accepted as text. */
export function stringParameter(this: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = this.getNodeParameter(name, itemIndex, '') as unknown;
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number') return String(value);
	return '';
}

/** A list of wxids given as text (commas, semicolons, spaces, new lines) or as an array. */
export function wxidListParameter(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
): string[] {
	const value = this.getNodeParameter(name, itemIndex, '') as unknown;
	if (Array.isArray(value)) {
		return [...new Set(value.map((wxid) => String(wxid).trim()).filter((wxid) => wxid !== ''))];
	}
	return parseWxidList(typeof value === 'string' ? value : '') ?? [];
}
