/**
 * Writes the token dream model as an ONNX graph (opset 17, standard ops only) with onnx-proto.
 * The graph is the same network as TfDreamModel: Gather replaces the multi-hot × matrix
 * product (the same rows summed; the neighbour streams gather the newest context frame at
 * constant index maps), LayerNormalization replaces the hand-written layer norm.
 *
 * I/O contract (IO_CONTRACT): inputs  target  int32 [batch, 82]
 *                                      context int32 [batch, K, 82]
 *                                      action  float32 [batch, 17]
 *                             outputs logits  float32 [batch, 82, 47]
 *                                      reward  float32 [batch, 31]
 *                                      done    float32 [batch, 1]
 */
import type { ModelConfig } from './config.ts';
import { floatTensor, GraphBuilder, intTensor, OPSET, readOnnx } from './onnx-graph.ts';
import { ioContract } from './io.ts';
import { paramSpecs, type Weights } from './params.ts';
import { LN_EPS } from './tf-model.ts';
import { NEIGHBOUR_STREAMS, NEIGHBOURS, SEQ, VOCAB } from './tokens.ts';

/** ONNX initializer name of a parameter (prefixed: parameter names may not clash with inputs). */
const W = (name: string): string => `param.${name}`;
export { OPSET };

/** Serialises the model with these weights to ONNX bytes. */
export function exportOnnx(c: ModelConfig, weights: Weights, meta: Record<string, string> = {}): Uint8Array {
  const graph = new GraphBuilder();
  const inits = graph.inits;
  const node = graph.node.bind(graph);
  for (const spec of paramSpecs(c)) {
    const w = weights.get(spec.name);
    if (!w) throw new Error(`missing weight ${spec.name}`);
    inits.push(floatTensor(W(spec.name), spec.shape, w));
  }
  const d = c.dModel;
  const H = c.heads;
  const dh = d / H;
  const K = c.context;
  inits.push(
    intTensor(
      'ctx_offsets',
      [1, K, 1],
      Array.from({ length: K }, (_, k) => (k + 1) * VOCAB),
      'int32',
    ),
  );
  inits.push(intTensor('axis1', [1], [1], 'int64'));
  inits.push(intTensor('last_index', [], [K - 1], 'int64'));
  inits.push(
    intTensor(
      'neighbours',
      [NEIGHBOUR_STREAMS, SEQ],
      NEIGHBOURS.flatMap((n) => Array.from(n)),
      'int64',
    ),
  );
  inits.push(
    intTensor(
      'nb_offsets',
      [1, NEIGHBOUR_STREAMS, 1],
      Array.from({ length: NEIGHBOUR_STREAMS }, (_, n) => (K + 1 + n) * VOCAB),
      'int32',
    ),
  );
  inits.push(intTensor('shape_b1d', [3], [-1, 1, d], 'int64'));
  inits.push(intTensor('shape_heads', [4], [0, SEQ, H, dh], 'int64'));
  inits.push(intTensor('shape_bsd', [3], [0, SEQ, d], 'int64'));
  inits.push(intTensor('cls_index', [], [SEQ - 1], 'int64'));
  inits.push(floatTensor('att_scale', [], Float32Array.of(1 / Math.sqrt(dh))));

  // Embeddings: the same table rows the multi-hot product sums.
  const eT = node('Gather', [W('embed'), 'target'], { axis: 0 });
  const ctxIdx = node('Add', ['context', 'ctx_offsets']);
  const eC = node('ReduceSum', [node('Gather', [W('embed'), ctxIdx], { axis: 0 }), 'axis1'], { keepdims: 0 });
  // The newest context frame's tokens at each position's 4 view neighbours.
  const last = node('Gather', ['context', 'last_index'], { axis: 1 });
  const nbIdx = node('Add', [node('Gather', [last, 'neighbours'], { axis: 1 }), 'nb_offsets']);
  const eN = node('ReduceSum', [node('Gather', [W('embed'), nbIdx], { axis: 0 }), 'axis1'], { keepdims: 0 });
  let h = node('Add', [node('Add', [node('Add', [eT, eC]), eN]), W('pos')]);
  const act = node('Reshape', [node('MatMul', ['action', W('action')]), 'shape_b1d']);
  h = node('Add', [h, act]);
  const ln = (x: string, g: string, b: string) =>
    node('LayerNormalization', [x, W(g), W(b)], { axis: -1, epsilon: LN_EPS });
  for (let l = 0; l < c.layers; l++) {
    const a = ln(h, `l${l}.ln1.g`, `l${l}.ln1.b`);
    const split = (w: string, perm: number[]) =>
      node('Transpose', [node('Reshape', [node('MatMul', [a, W(w)]), 'shape_heads'])], { perm });
    const q = split(`l${l}.wq`, [0, 2, 1, 3]);
    const kT = split(`l${l}.wk`, [0, 2, 3, 1]);
    const v = split(`l${l}.wv`, [0, 2, 1, 3]);
    const att = node('Softmax', [node('Mul', [node('MatMul', [q, kT]), 'att_scale'])], { axis: -1 });
    const o = node('Reshape', [node('Transpose', [node('MatMul', [att, v])], { perm: [0, 2, 1, 3] }), 'shape_bsd']);
    h = node('Add', [h, node('Add', [node('MatMul', [o, W(`l${l}.wo`)]), W(`l${l}.bo`)])]);
    const m = ln(h, `l${l}.ln2.g`, `l${l}.ln2.b`);
    const f = node('Relu', [node('Add', [node('MatMul', [m, W(`l${l}.w1`)]), W(`l${l}.b1`)])]);
    h = node('Add', [h, node('Add', [node('MatMul', [f, W(`l${l}.w2`)]), W(`l${l}.b2`)])]);
  }
  const hf = ln(h, 'lnf.g', 'lnf.b');
  node('Add', [node('MatMul', [hf, W('out.w')]), W('out.b')], {}, 'logits');
  const cls = node('Gather', [hf, 'cls_index'], { axis: 1 });
  node('Add', [node('MatMul', [cls, W('reward.w')]), W('reward.b')], {}, 'reward');
  node('Add', [node('MatMul', [cls, W('done.w')]), W('done.b')], {}, 'done');

  const io = ioContract(c);
  return graph.encode({
    graphName: `aikon-token-dream-${c.name}`,
    producer: 'aikon-world-model',
    inputs: io.inputs,
    outputs: io.outputs,
    meta: { config: JSON.stringify(c), ...meta },
  });
}

/** Reads back the config and weights of an ONNX file written by exportOnnx (tests, tools). */
export function importOnnx(bytes: Uint8Array): { config: ModelConfig; weights: Weights } {
  const { meta, floats } = readOnnx(bytes);
  const config = JSON.parse(meta.get('config') ?? 'null') as ModelConfig | null;
  if (!config) throw new Error('not an aikon token-dream ONNX file (no config metadata)');
  const weights: Weights = new Map();
  for (const spec of paramSpecs(config)) {
    const t = floats.get(W(spec.name));
    if (!t) throw new Error(`ONNX file lacks ${spec.name}`);
    weights.set(spec.name, t);
  }
  return { config, weights };
}
