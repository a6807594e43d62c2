import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { parseConfig } from '../src/config.ts';
import { approxSize } from '../src/server.ts';

describe('config', () => {
  it('defaults to 127.0.0.1:8080 and ./data', () => {
    const c = parseConfig([], {});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8080);
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.staticDir.endsWith('dist/game')).toBe(true);
  });
  it('flags win over environment variables', () => {
    const env = { PORT: '9000', HOST: '127.0.0.2', AIKON_DATA_DIR: '/tmp/env-data' };
    expect(parseConfig([], env)).toMatchObject({ port: 9000, host: '127.0.0.2', dataDir: '/tmp/env-data' });
    const c = parseConfig(
      ['--port', '0', '--host=127.0.0.1', '--data-dir', '/tmp/flag-data', '--hash-every', '7'],
      env,
    );
    expect(c).toMatchObject({ port: 0, host: '127.0.0.1', dataDir: resolve('/tmp/flag-data'), hashEvery: 7 });
  });
  it('refuses bad values and unknown flags', () => {
    expect(() => parseConfig(['--port', 'x'], {})).toThrow(/--port/);
    expect(() => parseConfig(['--nope'], {})).toThrow(/unknown argument/);
    expect(() => parseConfig(['--port'], {})).toThrow(/needs a value/);
  });
  it('takes a language-model endpoint for workforce goals from flags or environment, and refuses half of one', () => {
    expect(parseConfig([], {}).languageModel).toBeNull();
    const env = {
      AIKON_LLM_URL: 'http://127.0.0.1:8000/v1',
      AIKON_LLM_MODEL: 'small',
      AIKON_LLM_KEY: 'k',
      AIKON_LLM_TIMEOUT_MS: '3000',
    };
    expect(parseConfig([], env).languageModel).toEqual({
      url: 'http://127.0.0.1:8000/v1',
      model: 'small',
      apiKey: 'k',
      timeoutMs: 3000,
    });
    expect(parseConfig(['--llm-model', 'big'], env).languageModel).toMatchObject({
      url: 'http://127.0.0.1:8000/v1',
      model: 'big',
      apiKey: 'k',
    });
    expect(parseConfig(['--llm-url', 'http://10.0.0.1/v1', '--llm-model', 'm'], {}).languageModel).toMatchObject({
      url: 'http://10.0.0.1/v1',
      model: 'm',
    });
    expect(() => parseConfig(['--llm-url', 'http://10.0.0.1/v1'], {})).toThrow(/both --llm-url and --llm-model/);
    expect(() => parseConfig([], { AIKON_LLM_URL: 'http://x/v1' })).toThrow(/go together/);
    expect(() => parseConfig(['--llm-url', 'ftp://x', '--llm-model', 'm'], {})).toThrow(/http\(s\)/);
    expect(() => parseConfig([], { ...env, AIKON_LLM_TIMEOUT_MS: 'soon' })).toThrow(/AIKON_LLM_TIMEOUT_MS/);
  });
  it('estimates payload sizes and stops early', () => {
    expect(approxSize({ a: 1 }, 100)).toBeLessThan(30);
    expect(approxSize('x'.repeat(10_000), 100)).toBeGreaterThan(100);
    const deep: unknown[] = [];
    let cur = deep;
    for (let i = 0; i < 10_000; i++) {
      const next: unknown[] = [];
      cur.push(next);
      cur = next;
    }
    expect(approxSize(deep, 4096)).toBeGreaterThan(4096);
  });
});
