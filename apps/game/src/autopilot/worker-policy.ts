/**
 * The autopilot's policy as the page sees it: a PolicyRunner whose inferences run in a Web
 * Worker (policy.worker.ts), so a slow one never holds up the render loop.
 */
import type { PolicyRunner } from '@aikon/agents/policy/act';
import type { PolicyInputs, PolicyOutputs } from '@aikon/agents/policy/features';
import type { PolicyWorkerReply, PolicyWorkerRequest } from './policy-worker-protocol.ts';

type Pending = { ok: (r: PolicyOutputs) => void; fail: (e: Error) => void };

export class WorkerPolicy implements PolicyRunner {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private loading: {
    ok: (m: Extract<PolicyWorkerReply, { type: 'loaded' }>) => void;
    fail: (e: Error) => void;
  } | null = null;
  /** Set once loaded: "bc-small-rl" and how it runs. */
  model = '';
  backend = '';
  frames = 0;
  memory = false;

  private constructor() {
    this.worker = new Worker(new URL('./policy.worker.ts', import.meta.url), {
      type: 'module',
      name: 'aikon-autopilot',
    });
    this.worker.onmessage = (e: MessageEvent<PolicyWorkerReply>) => {
      const m = e.data;
      if (m.type === 'loaded') {
        this.loading?.ok(m);
        this.loading = null;
      } else if (m.type === 'error' && m.id === -1) {
        this.loading?.fail(new Error(m.message));
        this.loading = null;
      } else {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.type === 'out') p?.ok({ logits: m.logits, value: m.value });
        else p?.fail(new Error(m.message));
      }
    };
    this.worker.onerror = (e) =>
      this.fail(new Error(`the autopilot's worker stopped: ${e.message || 'unknown error'}`));
  }

  get name(): string {
    return this.backend;
  }

  /**
   * Starts the worker and loads the policy (sha256 and tensors checked against the manifest).
   * The wait is long: onnxruntime-web's 28 MB wasm compiles in a second or two on an idle machine,
   * but took over a minute on this project's loaded 2-core test machine.
   */
  static async load(manifestUrl: string, model?: string | null, timeoutMs = 180_000): Promise<WorkerPolicy> {
    const policy = new WorkerPolicy();
    try {
      const loaded = await new Promise<Extract<PolicyWorkerReply, { type: 'loaded' }>>((ok, fail) => {
        policy.loading = { ok, fail };
        setTimeout(() => fail(new Error(`the policy did not load within ${timeoutMs / 1000} s`)), timeoutMs);
        policy.send({ type: 'load', manifestUrl, ...(model ? { model } : {}) });
      });
      policy.model = loaded.model;
      policy.backend = loaded.backend;
      policy.frames = loaded.frames;
      policy.memory = loaded.memory;
      return policy;
    } catch (err) {
      policy.worker.terminate();
      throw err;
    }
  }

  private send(m: PolicyWorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private fail(err: Error): void {
    this.loading?.fail(err);
    this.loading = null;
    for (const p of this.pending.values()) p.fail(err);
    this.pending.clear();
  }

  run(x: PolicyInputs): Promise<PolicyOutputs> {
    const id = this.nextId++;
    return new Promise((ok, fail) => {
      this.pending.set(id, { ok, fail });
      this.send({
        type: 'run',
        id,
        batch: x.batch,
        tokens: x.tokens,
        prevAction: x.prevAction,
        ...(x.memory ? { memory: x.memory } : {}),
      });
    });
  }

  async dispose(): Promise<void> {
    this.fail(new Error('the autopilot was closed'));
    this.worker.terminate();
  }
}
