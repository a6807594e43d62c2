/// <reference lib="webworker" />
/**
 * Solo play: the engine runs here, off the main thread, ticking at the player's rate.
 * Messages in and out are described in protocol.ts.
 */
import { SoloCore } from './solo-core.ts';
import { clampTickRate, type FromSource, type ToSource } from './protocol.ts';
import { loadAgentView } from './agent-view-loader.ts';
import { checkSoloSave, deleteSoloSave, makeSoloSave, SOLO_SAVE_INTERVAL_MS, writeSoloSave } from './solo-save.ts';

declare const self: DedicatedWorkerGlobalScope;

let core: SoloCore | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let nextAt = 0;
/** The step last saved (or loaded from a save), and when: the game is saved every few seconds. */
let savedT = -1;
let savedAt = 0;
/** Saves are written one after another, never two at once. */
let saving: Promise<void> = Promise.resolve();

/**
 * Saves the world unless this step is saved already; a finished game (the player died) is
 * removed instead, so that nobody is offered to continue it.
 */
function save(): void {
  if (!core) return;
  const world = core.world;
  if (world.t === 0 || world.t === savedT) return;
  savedT = world.t;
  savedAt = performance.now();
  const t = world.t;
  const write = world.over ? deleteSoloSave() : writeSoloSave(makeSoloSave(world));
  saving = saving
    .then(() => write)
    .then(
      () => post({ type: 'saved', t: world.over ? null : t }),
      (error: unknown) => post({ type: 'saved', t, error: error instanceof Error ? error.message : String(error) }),
    );
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
        core?.press(msg.action);
        break;
      case 'hold':
        core?.hold(msg.action);
        break;
      case 'rate':
        if (core) {
          core.setTickRate(msg.tickRate);
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
