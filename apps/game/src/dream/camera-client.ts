/**
 * The page's side of the dream camera worker: loads the manifest's camera once, then draws the
 * newest dreamed frame it is given (a frame asked for while one is being drawn waits; a newer
 * one replaces it, so a slow device shows fewer frames, never a growing queue).
 */
import type { CameraWorkerReply, CameraWorkerRequest } from '@aikon/world-model/camera-worker';

export interface CameraFrame {
  /** 64 × 64 RGB. */
  readonly rgb: Uint8Array;
  /** The dreamed frame's tokens and dream step it shows. */
  readonly tokens: number[];
  readonly step: number;
  /** Denoising time in the worker. */
  readonly ms: number;
}

export class CameraClient {
  private readonly worker: Worker;
  private busy = false;
  private next: { tokens: number[]; step: number } | null = null;
  private drawing: { tokens: number[]; step: number } | null = null;
  private id = 0;
  backend = '';
  onFrame: ((f: CameraFrame) => void) | null = null;
  onError: ((message: string) => void) | null = null;
  readonly loaded: Promise<void>;

  constructor(manifestUrl: string) {
    this.worker = new Worker(new URL('./camera.worker.ts', import.meta.url), { type: 'module', name: 'aikon-camera' });
    this.loaded = new Promise((ok, fail) => {
      this.worker.onmessage = (e: MessageEvent<CameraWorkerReply>) => {
        const r = e.data;
        if (r.type === 'loaded') {
          this.backend = r.backend;
          ok();
        } else if (r.type === 'frame') {
          if (this.drawing) this.onFrame?.({ rgb: r.rgb, ms: r.ms, ...this.drawing });
          this.busy = false;
          this.pump();
        } else {
          fail(new Error(r.message));
          this.busy = false;
          this.onError?.(r.message);
        }
      };
    });
    this.post({ type: 'load', manifestUrl });
  }

  private post(m: CameraWorkerRequest): void {
    this.worker.postMessage(m);
  }

  /** Asks for the frame of these tokens (drawn after the one in progress; a newer ask replaces it). */
  render(tokens: number[], step: number): void {
    this.next = { tokens, step };
    void this.loaded.then(
      () => this.pump(),
      () => {},
    );
  }

  private pump(): void {
    if (this.busy || !this.next) return;
    this.busy = true;
    this.drawing = this.next;
    this.next = null;
    this.post({ type: 'render', id: this.id++, tokens: this.drawing.tokens });
  }

  dispose(): void {
    this.worker.terminate();
  }
}
