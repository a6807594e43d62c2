/**
 * The natural-language adapter against a tiny local stand-in for an OpenAI-compatible
 * endpoint on 127.0.0.1. No real endpoint exists in this environment (no internet): these
 * tests check the protocol, the validation of answers, the timeout and the grammar fallback.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpretGoal, nlConfigFromEnv } from '../src/nl.ts';

let server: Server;
let base = '';
const seen: { auth?: string; body: { model: string; messages: { role: string; content: string }[] } }[] = [];

function reply(res: ServerResponse, content: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data);
      seen.push({ auth: req.headers.authorization, body });
      const text: string = body.messages.at(-1).content;
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
      } else if (text.includes('slow')) {
        setTimeout(() => reply(res, '{"kind":"all"}'), 1000);
      } else if (text.includes('broken')) {
        res.writeHead(500).end('oops');
      } else if (text.includes('nonsense')) {
        reply(res, 'I would love to help!');
      } else if (text.includes('greedy')) {
        reply(res, '{"kind":"collect","item":"diamond","amount":50}');
      } else if (text.includes('moon')) {
        reply(res, '{"kind":"refuse","reason":"there is no moon in Crafter"}');
      } else {
        reply(res, 'Sure: {"kind":"make","item":"iron_pickaxe"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('natural-language adapter (local stand-in endpoint)', () => {
  it('is off by default: the grammar answers', async () => {
    expect(nlConfigFromEnv({})).toBeNull();
    const r = await interpretGoal('get me an iron pickaxe');
    expect(r).toMatchObject({ ok: true, via: 'grammar', goal: { kind: 'make', item: 'iron_pickaxe' } });
  });

  it('reads URL and model from configuration', () => {
    expect(nlConfigFromEnv({ AIKON_LLM_URL: base, AIKON_LLM_MODEL: 'tiny', AIKON_LLM_KEY: 'k' })).toEqual({
      url: base,
      model: 'tiny',
      apiKey: 'k',
      timeoutMs: undefined,
    });
  });

  it('asks the endpoint and validates its goal', async () => {
    const r = await interpretGoal('I want the best pick there is', { url: base, model: 'tiny', apiKey: 'secret' });
    expect(r).toMatchObject({ ok: true, via: 'endpoint', goal: { kind: 'make', item: 'iron_pickaxe' } });
    const last = seen.at(-1)!;
    expect(last.auth).toBe('Bearer secret');
    expect(last.body.model).toBe('tiny');
    expect(last.body.messages[0].role).toBe('system');
  });

  it('passes on a refusal from the endpoint', async () => {
    const r = await interpretGoal('fly to the moon', { url: base, model: 'tiny' });
    expect(r).toMatchObject({ ok: false, via: 'endpoint', reason: 'there is no moon in Crafter' });
  });

  it('falls back to the grammar on an invalid goal, non-JSON, HTTP errors and timeouts', async () => {
    const greedy = await interpretGoal('greedy: collect 5 wood', { url: base, model: 'tiny' });
    expect(greedy).toMatchObject({ via: 'grammar', ok: true, goal: { kind: 'collect', item: 'wood', amount: 5 } });
    expect(greedy.note).toMatch(/rejected/);
    expect((await interpretGoal('nonsense: find a diamond', { url: base, model: 'tiny' })).note).toMatch(/not JSON/);
    expect((await interpretGoal('broken: find a diamond', { url: base, model: 'tiny' })).note).toMatch(/HTTP 500/);
    const slow = await interpretGoal('slow: find a diamond', { url: base, model: 'tiny', timeoutMs: 100 });
    expect(slow).toMatchObject({ via: 'grammar', ok: true, goal: { kind: 'collect', item: 'diamond' } });
    expect(slow.note).toMatch(/timed out/);
    const down = await interpretGoal('find a diamond', { url: 'http://127.0.0.1:1/v1', model: 'tiny', timeoutMs: 500 });
    expect(down).toMatchObject({ via: 'grammar', ok: true });
  });
});
