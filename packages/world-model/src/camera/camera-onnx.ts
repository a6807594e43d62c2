/**
 * The dream camera's denoiser as an ONNX graph (opset 17), written with the project's own ONNX
 * writer; the same function as TfCamera.forward, on images instead of cells:
 *   x [B, 3, 64, 64] (NCHW, [−1, 1]) → Slice to 63 × 63 → SpaceToDepth(7): [B, 147, 9, 9] cells;
 *   the 1 × 1 layers as Conv; D back through DepthToSpace(7, DCR) and Pad (the 64th row and
 *   column: −1, black). σ [B, 1] gives the EDM preconditioning inside the graph; cond is
 *   [B, 81, COND_FEATURES] as `cameraCondition` writes it. Browser-safe.
 */
import { floatTensor, GraphBuilder, intTensor } from '../onnx-graph.ts';
import type { IoContract } from '../io.ts';
import type { Weights } from '../params.ts';
import { CELL_VALUES, CELLS, COND_FEATURES, EDM, GRID, IMAGE, UNIT } from './camera.ts';
import type { CameraConfig } from './tf-camera.ts';

export function cameraIo(): IoContract {
  return {
    inputs: [
      { name: 'x', dtype: 'float32', shape: ['batch', 3, IMAGE, IMAGE] },
      { name: 'sigma', dtype: 'float32', shape: ['batch', 1] },
      { name: 'cond', dtype: 'float32', shape: ['batch', CELLS, COND_FEATURES] },
    ],
    outputs: [{ name: 'denoised', dtype: 'float32', shape: ['batch', 3, IMAGE, IMAGE] }],
  };
}

/** A [in, out] matrix as a 1 × 1 Conv kernel [out, in, 1, 1]. */
function kernel(w: Float32Array, rows: number, cols: number): Float32Array {
  const k = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let o = 0; o < cols; o++) k[o * rows + i] = w[i * cols + o];
  return k;
}

export function exportCameraOnnx(
  config: CameraConfig,
  weights: Weights,
  meta: Record<string, string> = {},
): Uint8Array {
  const C = config.hidden;
  const g = new GraphBuilder();
  const w = (name: string): Float32Array => {
    const a = weights.get(name);
    if (!a) throw new Error(`missing weight ${name}`);
    return a;
  };
  const conv = (name: string, dims: [number, number]): string => {
    g.inits.push(floatTensor(name, [dims[1], dims[0], 1, 1], kernel(w(name), dims[0], dims[1])));
    return name;
  };
  const vec = (name: string, data: Float32Array, dims: number[]): string => {
    g.inits.push(floatTensor(name, dims, data));
    return name;
  };
  const scalar = (name: string, v: number) => vec(name, Float32Array.of(v), []);
  const ints = (name: string, data: number[]) => {
    g.inits.push(intTensor(name, [data.length], data, 'int64'));
    return name;
  };

  // Preconditioning, each [B, 1, 1, 1].
  const sd = EDM.sigmaData;
  const col = ints('shape.col', [-1, 1, 1, 1]);
  const sigma = g.node('Reshape', ['sigma', col]);
  const s2 = g.node('Add', [g.node('Mul', [sigma, sigma]), scalar('sd2', sd * sd)]);
  const root = g.node('Sqrt', [s2]);
  const cSkip = g.node('Div', ['sd2', s2]);
  const cOut = g.node('Div', [g.node('Mul', [sigma, scalar('sd', sd)]), root]);
  const cIn = g.node('Div', [scalar('one', 1), root]);
  const cNoise = g.node('Mul', [g.node('Log', [sigma]), scalar('quarter', 0.25)]);

  // Cells and condition as [B, channels, 9, 9].
  const block = GRID * UNIT;
  const cropped = g.node('Slice', [
    'x',
    ints('crop.start', [0, 0]),
    ints('crop.end', [block, block]),
    ints('crop.axes', [2, 3]),
  ]);
  const xc = g.node('SpaceToDepth', [cropped], { blocksize: UNIT });
  const cond = g.node('Reshape', [
    g.node('Transpose', ['cond'], { perm: [0, 2, 1] }),
    ints('shape.cond', [0, COND_FEATURES, GRID, GRID]),
  ]);

  const h1 = g.node('Relu', [
    g.node('Add', [
      g.node('Add', [
        g.node('Conv', [g.node('Mul', [xc, cIn]), conv('in.x', [CELL_VALUES, C]), vec('in.b', w('in.b'), [C])]),
        g.node('Conv', [cond, conv('in.cond', [COND_FEATURES, C])]),
      ]),
      g.node('Mul', [cNoise, vec('in.noise', w('in.noise'), [1, C, 1, 1])]),
    ]),
  ]);
  const h2 = g.node('Relu', [g.node('Conv', [h1, conv('mid.w', [C, C]), vec('mid.b', w('mid.b'), [C])])]);
  const tex = g.node('Mul', [
    g.node('Conv', [cond, conv('tex.w', [COND_FEATURES, CELL_VALUES])]),
    g.node('Add', ['one', g.node('Conv', [h2, conv('tex.scale', [C, CELL_VALUES])])]),
  ]);
  const f = g.node('Add', [
    g.node('Conv', [h2, conv('out.w', [C, CELL_VALUES]), vec('out.b', w('out.b'), [CELL_VALUES])]),
    tex,
  ]);
  const gate = g.node('Add', ['one', g.node('Conv', [h2, conv('gate.w', [C, CELL_VALUES])])]);
  const d = g.node('Add', [g.node('Mul', [g.node('Mul', [xc, cSkip]), gate]), g.node('Mul', [f, cOut])]);
  const image = g.node('DepthToSpace', [d], { blocksize: UNIT });
  // Pad's default mode is constant; DepthToSpace's default is DCR, SpaceToDepth's inverse.
  g.node(
    'Pad',
    [image, ints('pad', [0, 0, 0, 0, 0, 0, IMAGE - block, IMAGE - block]), scalar('black', -1)],
    {},
    'denoised',
  );
  const io = cameraIo();
  return g.encode({
    graphName: 'dream_camera',
    producer: 'aikon-world-model',
    inputs: io.inputs,
    outputs: io.outputs,
    meta: { hidden: String(C), ...meta },
  });
}
