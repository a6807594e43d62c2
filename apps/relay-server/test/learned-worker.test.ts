/**
 * A learned worker in a relay lobby, over real Socket.IO: the host adds one worker with the
 * learned brain (the shipped policy from models/ on onnxruntime-node, loaded off the tick), one
 * scripted worker and one hybrid worker (its policy, one skill of its executor, acts where no
 * scripted skill applies: with no task, once its survival reflexes are quiet); they play; the
 * recording says, tick by tick, which brain chose each worker's action (TickRecord.b), the learned
 * worker's actions are its policy's (not only noops), and the log replays exactly.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RelayClient } from '@aikon/protocol/client';
import { ACTING_BRAINS, replayLog, type WorkforceState } from '@aikon/protocol';
import { readLogFile } from '@aikon/protocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, request as wf, startTestServer, waitFor } from './helpers.ts';

const MODELS = fileURLToPath(new URL('../../../models', import.meta.url));

describe('a learned worker in a lobby', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let host: RelayClient;
  beforeAll(async () => {
    server = await startTestServer({ modelsDir: MODELS });
    host = await connectClient(server.url);
  });
  afterAll(async () => {
    host?.close();
    await server.cleanup();
  });

  it('plays with its policy, and the recording says which brain chose each action', async () => {
    const box: { state: WorkforceState | null } = { state: null };
    host.socket.on('workforce:state', (s: WorkforceState) => (box.state = s));
    const created = await host.createLobby({ name: 'Hana', seed: 11, tickRate: 15 });
    const code = created.lobby.code;
    const { workerId: learnedId } = await wf(host, 'workforce:add', { name: 'Lea', brain: 'learned' });
    await wf(host, 'workforce:add', { name: 'Sam' });
    await wf(host, 'workforce:add', { name: 'Hal', brain: 'hybrid' });
    await host.start();
    const lobby = server.lobbyByCode(code)!;
    await waitFor(
      () => box.state?.workers.find((w) => w.workerId === learnedId)?.activity === 'learned policy acts',
      20_000,
      'the policy loaded and acting',
    );
    const lea = box.state!.workers.find((w) => w.workerId === learnedId)!;
    expect(lea).toMatchObject({ brain: 'learned', acting: 'learned', status: 'working' });
    expect(box.state!.workers.find((w) => w.name === 'Sam')).toMatchObject({ brain: 'scripted' });
    // A hybrid worker with no task: its policy acts.
    await waitFor(
      () => box.state?.workers.find((w) => w.name === 'Hal')?.acting === 'learned',
      10_000,
      'the hybrid worker acting on its policy',
    );
    // The scripted worker needs a goal to do more than idle.
    await wf(host, 'workforce:goal', { text: 'chop 3 wood' });
    const t0 = lobby.world!.t;
    await waitFor(() => lobby.world!.t >= t0 + 60, 20_000, '60 ticks of play');
    const said = lobby.workforce
      .auditLines()
      .map((l) => `${l.who}: ${l.what}`)
      .join('\n');
    expect(said).toMatch(/added AI worker Lea \(learned brain\)[\s\S]*learned policy ready \(onnxruntime-node/);
    expect(said).toMatch(/Hal: learned policy acts \(no skill applies\)/);

    const sessionId = lobby.sessionId!;
    lobby.close('test', { sync: true });
    const log = readLogFile((await server.store.session(sessionId))!.path);
    const learnedSlot = lea.slot!;
    const scriptedSlot = box.state!.workers.find((w) => w.name === 'Sam')!.slot!;
    const hybridSlot = box.state!.workers.find((w) => w.name === 'Hal')!.slot!;
    const hybridBrains = new Set<string>();
    let learnedTicks = 0;
    let learnedMoves = 0;
    let scriptedTicks = 0;
    for (const r of log.records) {
      if (r.k !== 'tick' || !r.b) continue;
      const brainOf = new Map<number, string>();
      for (let i = 0; i < r.b.length; i += 2) brainOf.set(r.b[i], ACTING_BRAINS[r.b[i + 1]]);
      if (brainOf.get(learnedSlot) === 'learned') learnedTicks++;
      if (brainOf.get(scriptedSlot) === 'scripted') scriptedTicks++;
      if (brainOf.has(hybridSlot)) hybridBrains.add(brainOf.get(hybridSlot)!);
      expect(brainOf.get(learnedSlot) ?? 'learned').toBe('learned'); // never anything else
      for (let i = 0; i < r.a.length; i += 2)
        if (r.a[i] === learnedSlot && brainOf.get(learnedSlot) === 'learned') learnedMoves++;
    }
    expect(learnedTicks).toBeGreaterThanOrEqual(60);
    expect(scriptedTicks).toBeGreaterThanOrEqual(60);
    expect(hybridBrains.has('learned')).toBe(true);
    // Most ticks carry a decision of the policy (inference keeps up off the tick), not noop.
    expect(learnedMoves).toBeGreaterThan(learnedTicks / 3);
    expect(replayLog(new Uint8Array(readFileSync(log.path))).ok).toBe(true);
  }, 90_000);
});
