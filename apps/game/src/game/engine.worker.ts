/// <reference lib="webworker" />
/**
 * Solo play: the engine runs here, off the main thread, ticking at the player's rate.
 * Messages in and out are described in protocol.ts.
 */
import { SoloCore } from './solo-core.ts';
import { clampTickRate, type FromSource, type ToSource } from './protocol.ts';
import { loadAgentView } from './agent-view-loader.ts';
import { SoloLogWriter } from '@aikon/protocol';
import {
  checkSoloSave,
  endSoloGame,
  makeSoloSave,
  queuedLog,
  SOLO_SAVE_INTERVAL_MS,
  type SoloRecording,
  writeSoloSave,
} from './solo-save.ts';

declare const self: DedicatedWorkerGlobalScope;

let core: SoloCore | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let nextAt = 0;
/** The step last saved (or loaded from a save), and when: the game is saved every few seconds. */
let savedT = -1;
let savedAt = 0;
/** Saves are written one after another, never two at once. */
let saving: Promise<void> = Promise.resolve();
/** The log of a game the player chose to record (null: not recorded); saved with the world. */
let recording: SoloRecording | null = null;

/** A random id (hex), also where crypto.randomUUID is missing (pages not served over HTTPS). */
function randomId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Saves the world unless this step is saved already; a finished game (the player died) is
 * removed instead, so that nobody is offered to continue it, and its log, if recorded, is queued
 * for upload (as is the log of a recorded game this one replaces).
 */
function save(): void {
  if (!core) return;
  const world = core.world;
  if (world.t === 0 || world.t === savedT) return;
  savedT = world.t;
  savedAt = performance.now();
  const t = world.t;
  const write = world.over
    ? endSoloGame(recording ? queuedLog(recording) : null)
    : writeSoloSave(makeSoloSave(world, recording));
  saving = saving
    .then(() => write)
    .then(
      (queued) => {
        post({ type: 'saved', t: world.over ? null : t });
        if (queued) post({ type: 'queued' });
      },
      (error: unknown) => post({ type: 'saved', t, error: error instanceof Error ? error.message : String(error) }),
    );
}

/** Notes the tick just run in the recorded game's log, and its end when the game is over. */
function recordTick(): void {
  if (!core || !recording) return;
  const world = core.world;
  recording.log.tick(world, core.lastAction, core.lastLearned);
  if (world.over) recording.log.end(world, world.player(0).dead ? 'died' : 'step_limit');
}

function post(message: FromSource, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function sendFrame(): void {
  if (!core) return;
  const frame = core.frame();
  const transfer: Transferable[] = [frame.material.buffer, frame.objects.buffer];
  if (frame.agentView) transfer.push(frame.agentView.buffer);
  post({ type: 'frame', frame }, transfer);
}

function stopClock(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

function schedule(): void {
  stopClock();
  if (!core || core.paused || core.waitingForScene || core.world.over) return;
  const interval = 1000 / core.tickRate;
  const now = performance.now();
  if (nextAt < now - interval) nextAt = now; // fell behind (throttled tab): do not catch up in a burst
  timer = setTimeout(run, Math.max(0, nextAt + interval - now));
}

function run(): void {
  timer = null;
  if (!core) return;
  nextAt += 1000 / core.tickRate;
  try {
    if (core.tick(performance.now())) {
      recordTick();
      sendFrame();
      if (core.world.over || performance.now() - savedAt >= SOLO_SAVE_INTERVAL_MS) save();
    }
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  schedule();
}

self.onmessage = (event: MessageEvent<ToSource>) => {
  const msg = event.data;
  try {
    switch (msg.type) {
      case 'start': {
        if (!core) core = new SoloCore(msg.seed);
        else core.start(msg.seed);
        core.setTickRate(clampTickRate(msg.tickRate));
        core.setPaused(Boolean(msg.paused));
        core.waitingForScene = Boolean(msg.waitForScene);
        core.hold(null);
        recording = null;
        if (msg.record) {
          const id = randomId('solo-');
          recording = {
            id,
            log: SoloLogWriter.begin(core.world, { id, pid: randomId('p-'), tickRate: core.tickRate }),
          };
        }
        savedT = -1;
        savedAt = performance.now();
        nextAt = performance.now();
        sendFrame();
        schedule();
        break;
      }
      case 'resume': {
        const checked = checkSoloSave(msg.save);
        if (!checked.ok) throw new Error(checked.error);
        if (!core) core = new SoloCore(checked.save.seed);
        core.resume(checked.world);
        core.setTickRate(clampTickRate(msg.tickRate));
        // A player coming back starts paused: nothing moves before they have looked around.
        core.setPaused(true);
        core.waitingForScene = true;
        core.hold(null);
        // A recorded game's log goes on from the saved step (a log that cannot is ended as abandoned at the next save).
        const kept = checked.save.recording;
        try {
          recording = kept ? { id: kept.id, log: SoloLogWriter.resume(kept.log, checked.save.t) } : null;
        } catch {
          recording = null;
        }
        savedT = checked.save.t;
        savedAt = performance.now();
        nextAt = performance.now();
        sendFrame();
        break;
      }
      case 'drawn':
        if (core?.waitingForScene) {
          core.waitingForScene = false;
          nextAt = performance.now();
          schedule();
        }
        break;
      case 'press':
        core?.press(msg.action, msg.learned === true);
        break;
      case 'hold':
        core?.hold(msg.action);
        break;
      case 'rate':
        if (core) {
          const before = core.tickRate;
          core.setTickRate(msg.tickRate);
          if (recording && !recording.log.ended && core.tickRate !== before)
            recording.log.tickRate(core.world, core.tickRate);
          nextAt = performance.now();
          schedule();
          sendFrame();
        }
        break;
      case 'pause':
        if (core) {
          core.setPaused(msg.paused);
          if (msg.paused) save();
          nextAt = performance.now();
          schedule();
          sendFrame();
        }
        break;
      case 'agentView':
        if (core) {
          core.agentViewEnabled = msg.enabled;
          if (msg.enabled && !core.agentView) {
            void loadAgentView(msg.atlasUrl).then((fn) => {
              if (core && fn) {
                core.agentView = fn;
                sendFrame();
              }
            });
          }
        }
        break;
      case 'script': {
        stopClock();
        if (!core) core = new SoloCore(msg.seed);
        savedT = -1;
        recording = null; // the test hook replaces the world: a recorded game cannot go on from it
        const result = core.runScript(msg.seed, msg.actions);
        sendFrame(); // first, so that the client shows the new state when the reply lands
        post({ type: 'reply', id: msg.id, hash: result.hash, t: result.t });
        break;
      }
      case 'hash':
        if (core) post({ type: 'reply', id: msg.id, hash: core.world.hash(), t: core.world.t });
        break;
    }
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
