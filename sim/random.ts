/**
 * A small seeded random source, so that a scenario run with the same seed sends the same
 * contacts, messages and ids (reproducible test failures), while different bots still differ.
 */
export class Random {
	private state: number;

	constructor(seed: number = Date.now()) {
		this.state = seed >>> 0 || 0x9e3779b9;
	}

	/** A float in [0, 1) (mulberry32). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** An integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	pick<T>(items: readonly T[]): T {
		if (items.length === 0) throw new Error('Random.pick: nothing to pick from');
		return items[Math.floor(this.next() * items.length)];
	}

	/** `count` distinct items (or all of them when there are fewer). */
	sample<T>(items: readonly T[], count: number): T[] {
		const pool = [...items];
		const out: T[] = [];
		while (out.length < count && pool.length > 0) {
			out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
		}
		return out;
	}

	chance(probability: number): boolean {
		return this.next() < probability;
	}

	fromAlphabet(alphabet: string, length: number): string {
		let out = '';
		for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
		return out;
	}

	hex(length: number): string {
		return this.fromAlphabet('0123456789abcdef', length);
	}

	digits(length: number): string {
		return String(this.int(1, 9)) + this.fromAlphabet('0123456789', length - 1);
	}

	bytes(length: number): Buffer {
		const out = Buffer.alloc(length);
		for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
		return out;
	}
}
