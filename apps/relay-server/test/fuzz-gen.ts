/**
 * The event fuzzer of test/fuzz.test.ts and bench/fuzz-rss.ts: seeded (LCG), malformed and
 * well-formed payloads, and the invite codes, member ids and resume tokens it learns from acks.
 */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export const EVENTS = [
  'lobby:create',
  'lobby:join',
  'lobby:resume',
  'lobby:leave',
  'lobby:config',
  'lobby:kick',
  'lobby:start',
  'lobby:consent',
  'game:action',
  'game:respawn',
  'game:resync',
  'nope',
  '',
  '__proto__',
  'constructor',
  'toString',
  'error',
  'connect',
];
export const KEYS = [
  'name',
  'code',
  'a',
  'seq',
  'slot',
  'seats',
  'seed',
  'tickRate',
  'memberId',
  'resumeToken',
  'exportConsent',
  'kind',
  '__proto__',
  'x',
];

export class Fuzzer {
  readonly rand: () => number;
  readonly codes: string[] = [];
  readonly memberIds: string[] = [];
  readonly tokens: string[] = [];

  constructor(seed: number) {
    this.rand = lcg(seed);
  }

  pick = <T>(xs: readonly T[]): T => xs[Math.floor(this.rand() * xs.length)];

  /** Any value: numbers, odd numbers, strings up to 9,000 characters, bytes, nested objects. */
  value = (depth = 0): unknown => {
    const { rand, pick } = this;
    const r = rand();
    if (r < 0.12) return Math.floor(rand() * 40) - 5;
    if (r < 0.18) return pick([NaN, Infinity, -0, 1e300, 2 ** 53 + 2, -1, 0.5]);
    if (r < 0.3) return 'x'.repeat(Math.floor(rand() * 40));
    if (r < 0.36) return pick([...this.codes, ...this.memberIds, ...this.tokens, 'A'.repeat(22)]);
    if (r < 0.42) return pick([null, true, false, undefined]);
    if (r < 0.46) return new Uint8Array(Math.floor(rand() * 64));
    if (r < 0.5) return 'y'.repeat(Math.floor(rand() * 9000));
    if (depth > 3) return 0;
    if (r < 0.65) return Array.from({ length: Math.floor(rand() * 5) }, () => this.value(depth + 1));
    const o: Record<string, unknown> = {};
    const n = Math.floor(rand() * 4);
    for (let i = 0; i < n; i++) o[pick(KEYS)] = this.value(depth + 1);
    return o;
  };

  /** A payload that (mostly) passes the schema of this event. */
  validish = (event: string): unknown => {
    const { rand, pick } = this;
    switch (event) {
      case 'lobby:create':
        return { name: `f${Math.floor(rand() * 100)}`, seats: 1 + Math.floor(rand() * 4) };
      case 'lobby:join':
        return { code: pick(this.codes.length ? this.codes : ['A'.repeat(22)]), name: 'j' };
      case 'lobby:resume':
        return { resumeToken: pick(this.tokens.length ? this.tokens : ['B'.repeat(32)]) };
      case 'lobby:kick':
        return { memberId: pick(this.memberIds.length ? this.memberIds : ['m']) };
      case 'lobby:config':
        return { seats: Math.floor(rand() * 6), tickRate: 4 + Math.floor(rand() * 13) };
      case 'game:action':
        return { a: Math.floor(rand() * 19) - 1, slot: rand() < 0.5 ? Math.floor(rand() * 4) : undefined };
      case 'lobby:consent':
        return { exportConsent: rand() < 0.5 };
      case 'workforce:add':
        return { name: `w${Math.floor(rand() * 100)}` };
      case 'workforce:goal':
        return { text: pick(['collect wood 3', 'get me an iron pickaxe', 'all achievements']) };
      default:
        return {};
    }
  };

  /** Remembers what a successful join answer revealed (later payloads reuse it). */
  learn(ack: unknown): void {
    const a = ack as
      | { ok?: boolean; data?: { lobby?: { code: string }; memberId?: string; resumeToken?: string } }
      | undefined;
    if (a?.ok && a.data?.lobby) {
      this.codes.push(a.data.lobby.code);
      if (a.data.memberId) this.memberIds.push(a.data.memberId);
      if (a.data.resumeToken) this.tokens.push(a.data.resumeToken);
    }
  }
}
