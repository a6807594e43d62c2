/// <reference lib="webworker" />
/**
 * The autopilot's policy, off the main thread: @aikon/agents' onnxruntime-web runner (on wasm),
 * loaded on the first `load` message and checked against
 * its manifest entry, then one inference per `run` message.
 */
import { OrtWebPolicy } from '@aikon/agents/policy/web';
import { fetchModels } from '@aikon/world-model';
import type { PolicyWorkerReply, PolicyWorkerRequest } from './policy-worker-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

let policy: OrtWebPolicy | null = null;

function reply(m: PolicyWorkerReply, transfer: Transferable[] = []): void {
  self.postMessage(m, transfer);
}

self.onmessage = async (e: MessageEvent<PolicyWorkerRequest>) => {
  const msg = e.data;
  if (msg.type === 'load') {
    try {
      // wasm only: one row through a small MLP costs less than a WebGPU dispatch and read-back.
      policy = await OrtWebPolicy.load(await fetchModels(msg.manifestUrl), msg.model, { executionProviders: ['wasm'] });
      reply({
        type: 'loaded',
        model: policy.entry.name,
        version: policy.entry.version,
        backend: policy.name,
        frames: policy.frames,
        memory: policy.memory,
        score: policy.entry.metrics?.score ?? null,
      });
    } catch (err) {
      reply({ type: 'error', id: -1, message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (!policy) {
    reply({ type: 'error', id: msg.id, message: 'no policy loaded' });
    return;
  }
  try {
    const out = await policy.run(msg);
    const logits = Float32Array.from(out.logits);
    const value = Float32Array.from(out.value);
    reply({ type: 'out', id: msg.id, logits, value }, [logits.buffer, value.buffer]);
  } catch (err) {
    reply({ type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) });
  }
};
