/// <reference lib="webworker" />
/**
 * Solo play: the engine runs here, off the main thread, ticking at the player's rate.
 * Messages in and out are described in protocol.ts.
 */
import { SoloCore } from './solo-core.ts';
import { clampTickRate, type FromSource, type ToSource } from './protocol.ts';
import { loadAgentView } from './agent-view-loader.ts';

declare const self: DedicatedWorkerGlobalScope;

let core: SoloCore | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let nextAt = 0;

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
    if (core.tick(performance.now())) sendFrame();
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
        nextAt = performance.now();
        sendFrame();
        schedule();
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
