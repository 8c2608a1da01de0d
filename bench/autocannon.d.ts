// The part of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
	interface Histogram {
		average: number;
		p50: number;
		p99: number;
		total?: number;
	}
	interface Options {
		url: string;
		connections?: number;
		duration?: number;
		/** Requests per second over all connections (default: as fast as answers come). */
		overallRate?: number;
		/** Seconds before a request counts as a timeout (default 10). */
		timeout?: number;
		requests?: Array<{
			method?: string;
			path?: string;
			headers?: Record<string, string>;
			body?: string;
		}>;
	}
	interface Result {
		requests: Histogram;
		latency: Histogram;
		non2xx: number;
		errors: number;
		timeouts?: number;
	}
	function autocannon(options: Options): Promise<Result>;
	export = autocannon;
}
