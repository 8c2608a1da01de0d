/** The statistics the benches report. */

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median rounded to hundredths, as results.json records ratios and times. */
export function median2(values: number[]): number {
	return Math.round(median(values) * 100) / 100;
}
