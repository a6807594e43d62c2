/**
 * The autopilot in a lobby, without a browser: the page's autopilot store flying a member's
 * character through RelayGameSource against a real in-process relay, the shipped policy on
 * onnxruntime-web (wasm in Node); the session log, read back from disk, says which ticks the
 * policy chose (brain learned) and which the keys did.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Action } from '@aikon/engine';
import { ACTING_BRAINS, decodeLog, replayLog } from '@aikon/protocol';
import { createRelayClient } from '@aikon/protocol/client';
import { type RelayServer, startRelayServer } from '@aikon/relay-server';
import { loadDemos, splitSteps } from '@aikon/agents/policy/node';
import { OrtWebPolicy } from '@aikon/agents/policy/web';
import { createAutopilotStore } from '../src/autopilot/autopilot-store.ts';
import { RelayGameSource } from '../src/net/relay-source.ts';
import { myPlayer, useGame } from '../src/game/store.ts';

const MODELS = join(import.meta.dirname, '../../../models');
let server: RelayServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'aikon-autopilot-lobby-'));
  server = await startRelayServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    staticDir: join(dataDir, 'none'),
    datasetsApi: false,
  });
});

afterAll(async () => {
  useGame.getState().goHome();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Generous: on a saturated CI machine the policy's decisions and the relay share two cores. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the autopilot in a lobby', () => {
  it("flies a member's character over the relay; the log records its ticks with brain learned", async () => {
    const host = createRelayClient(server.url);
    await host.connect();
    // 4 ticks/s: a young character lives through the 24 decisions below without help (nothing may
    // change the world outside the log: it has to replay to its hashes).
    const joined = await host.createLobby({ name: 'Pilot', seed: 12, tickRate: 4 });
    const source = new RelayGameSource(host);
    useGame.getState().play(source, 12);
    await host.start();
    const lobby = server.lobbyByCode(joined.lobby.code)!;
    await until(() => myPlayer(useGame.getState().frame) !== undefined, 'first frame');
    // A key press first: recorded without a brain.
    source.press(Action.move_left);
    await until(() => (lobby.world?.findPlayer(0)?.action ?? 0) === Action.move_left, 'the keyed move');

    const models = {
      manifest: JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as unknown,
      readFile: async (file: string) => new Uint8Array(readFileSync(join(MODELS, file))),
    };
    const pilot = createAutopilotStore(async () => {
      const p = await OrtWebPolicy.load(models, null, { executionProviders: ['wasm'] });
      return Object.assign(p, { model: p.entry.name });
    });
    pilot.getState().toggle();
    await until(() => pilot.getState().status === 'on', 'the policy loaded');
    await until(() => (pilot.getState().stats?.decisions ?? 0) >= 24, '24 decisions');
    pilot.getState().takeBack();
    const flown = pilot.getState().stats!;

    const sessionId = lobby.sessionId!;
    await host.leave();
    host.close();
    await until(async () => (await server.store.session(sessionId))?.status === 'complete', 'the session log closed');
    const bytes = new Uint8Array(readFileSync((await server.store.session(sessionId))!.path));
    const ticks = decodeLog(bytes).records.flatMap((r) => (r.k === 'tick' ? [r] : []));
    const learned = ticks.filter((r) => r.b?.[0] === 0 && r.b[1] === ACTING_BRAINS.indexOf('learned'));
    // The decisions reached ticks recorded as learned (two may share a tick when an intent and the
    // next delta cross on the wire: the later one wins there, as with keys)...
    expect(learned.length).toBeLessThanOrEqual(flown.decisions);
    expect(learned.length).toBeGreaterThanOrEqual(flown.decisions / 2);
    // ...and the policy did not only wait: its non-noop choices are in the ticks' actions.
    expect(learned.filter((r) => r.a[0] === 0 && r.a[1] > 0).length).toBeGreaterThan(6);
    // The keyed move carries no brain.
    const keyed = ticks.find((r) => r.a[0] === 0 && r.a[1] === Action.move_left && r.b === undefined);
    expect(keyed).toBeDefined();
    const replay = replayLog(bytes);
    expect(replay.mismatches).toEqual([]);
    expect(replay.ok).toBe(true);
    // Behaviour cloning reads this human episode back with the autopilot's steps as context only:
    // marked, not counted as human, never a training or validation label.
    const demos = loadDemos(dataDir, { sessions: [], human: true });
    expect(demos.episodes.human).toBeGreaterThan(0);
    const marked = demos.autopilot ? demos.autopilot.reduce((k, v) => k + v, 0) : 0;
    expect(marked).toBe(demos.autopilotSteps);
    expect(marked).toBe(learned.length);
    expect(demos.steps.human + marked).toBe(demos.actions.length);
    const split = splitSteps(demos);
    expect(split.train.length + split.validation.length).toBe(demos.steps.human);
    for (const t of [...split.train, ...split.validation]) expect(demos.autopilot![t]).toBe(0);
  }, 120_000);
});
