/**
 * Writes the policy network as an ONNX graph (opset 17, standard ops) with the world model's
 * graph helpers. The same network as TfPolicy: the first layer's multi-hot product becomes a
 * Gather of its weight rows at the token features (tokens + a constant shift) summed over frames
 * and positions, plus the previous action's row.
 *
 * I/O contract (POLICY_IO): inputs  tokens      int32 [batch, K, 81]  (aikon.semantic-tokens/1, oldest first)
 *                                   prev_action int32 [batch]
 *                                   memory      int32 [batch, 10]     (policies with memory only: each
 *                                                                      slot's value, memory.ts, version in
 *                                                                      the config's `memory`)
 *                           outputs logits      float32 [batch, 17]
 *                                   value       float32 [batch]
 */
import { NUM_ACTIONS } from '@aikon/engine';
import { FRAME_TOKENS, type TensorSpec } from '@aikon/world-model';
import { floatTensor, GraphBuilder, halfTensor, intTensor, onnx, readOnnx } from '@aikon/world-model/onnx-graph';
import { FRAME_FEATURES, SHIFT } from './features.ts';
import { MEMORY_SLOTS, MEMORY_VALUES } from './memory.ts';
import { hasMemory, type PolicyConfig, PolicyConfigSchema, policyParamSpecs, type PolicyWeights } from './network.ts';

const MEMORY_INPUT: TensorSpec = { name: 'memory', dtype: 'int32', shape: ['batch', MEMORY_SLOTS] };

export function policyIo(c: PolicyConfig): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  return {
    inputs: [
      { name: 'tokens', dtype: 'int32', shape: ['batch', c.frames, FRAME_TOKENS] },
      { name: 'prev_action', dtype: 'int32', shape: ['batch'] },
      ...(hasMemory(c) ? [MEMORY_INPUT] : []),
    ],
    outputs: [
      { name: 'logits', dtype: 'float32', shape: ['batch', NUM_ACTIONS] },
      { name: 'value', dtype: 'float32', shape: ['batch'] },
    ],
  };
}

const W = (name: string): string => `param.${name}`;
const HALF = (name: string): string => `param.${name}.f16`;

export function exportPolicyOnnx(
  c: PolicyConfig,
  weights: PolicyWeights,
  meta: Record<string, string> = {},
): Uint8Array {
  const g = new GraphBuilder();
  for (const spec of policyParamSpecs(c)) {
    const w = weights.get(spec.name);
    if (!w) throw new Error(`missing policy weight ${spec.name}`);
    if (spec.name === 'l0.w' && hasMemory(c)) {
      // The memory rows would take the file past the models directory's 5 MiB: the first layer
      // (an embedding table) is stored as float16 and cast back to float in the graph.
      g.inits.push(halfTensor(HALF(spec.name), spec.shape, w));
      g.node('Cast', [HALF(spec.name)], { to: onnx.TensorProto.DataType.FLOAT }, W(spec.name));
    } else g.inits.push(floatTensor(W(spec.name), spec.shape, w));
  }
  const K = c.frames;
  g.inits.push(
    intTensor(
      'feature_shift',
      [1, K, FRAME_TOKENS],
      Array.from(
        { length: K * FRAME_TOKENS },
        (_, i) => Math.floor(i / FRAME_TOKENS) * FRAME_FEATURES + SHIFT[i % FRAME_TOKENS],
      ),
      'int32',
    ),
  );
  g.inits.push(intTensor('action_shift', [], [K * FRAME_FEATURES], 'int32'));
  g.inits.push(intTensor('frame_axes', [2], [1, 2], 'int64'));
  g.inits.push(intTensor('flat', [1], [-1], 'int64'));
  const frames = g.node(
    'ReduceSum',
    [g.node('Gather', [W('l0.w'), g.node('Add', ['tokens', 'feature_shift'])], { axis: 0 }), 'frame_axes'],
    { keepdims: 0 },
  );
  const prev = g.node('Gather', [W('l0.w'), g.node('Add', ['prev_action', 'action_shift'])], { axis: 0 });
  let first = g.node('Add', [frames, prev]);
  if (hasMemory(c)) {
    // Slot s with value v is the row K·FRAME_FEATURES + 17 + s·MEMORY_VALUES + v.
    g.inits.push(
      intTensor(
        'memory_shift',
        [1, MEMORY_SLOTS],
        Array.from({ length: MEMORY_SLOTS }, (_, s) => K * FRAME_FEATURES + NUM_ACTIONS + s * MEMORY_VALUES),
        'int32',
      ),
    );
    g.inits.push(intTensor('slot_axis', [1], [1], 'int64'));
    const memory = g.node(
      'ReduceSum',
      [g.node('Gather', [W('l0.w'), g.node('Add', ['memory', 'memory_shift'])], { axis: 0 }), 'slot_axis'],
      { keepdims: 0 },
    );
    first = g.node('Add', [first, memory]);
  }
  let h = g.node('Relu', [g.node('Add', [first, W('l0.b')])]);
  for (let i = 1; i < c.hidden.length; i++)
    h = g.node('Relu', [g.node('Add', [g.node('MatMul', [h, W(`l${i}.w`)]), W(`l${i}.b`)])]);
  g.node('Add', [g.node('MatMul', [h, W('pi.w')]), W('pi.b')], {}, 'logits');
  g.node('Reshape', [g.node('Add', [g.node('MatMul', [h, W('v.w')]), W('v.b')]), 'flat'], {}, 'value');
  const io = policyIo(c);
  return g.encode({
    graphName: `aikon-policy-${c.name}`,
    producer: 'aikon-agents',
    inputs: io.inputs,
    outputs: io.outputs,
    meta: { config: JSON.stringify(c), ...meta },
  });
}

/** Reads back the config and weights of a policy ONNX file (tests, fine-tuning from a shipped model). */
export function importPolicyOnnx(bytes: Uint8Array): { config: PolicyConfig; weights: PolicyWeights } {
  const { meta, floats } = readOnnx(bytes);
  const config = PolicyConfigSchema.parse(JSON.parse(meta.get('config') ?? 'null'));
  const weights: PolicyWeights = new Map();
  for (const spec of policyParamSpecs(config)) {
    const t = floats.get(W(spec.name)) ?? floats.get(HALF(spec.name));
    if (!t) throw new Error(`policy ONNX file lacks ${spec.name}`);
    weights.set(spec.name, t);
  }
  return { config, weights };
}
