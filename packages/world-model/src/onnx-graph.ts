/**
 * Building blocks for the ONNX graphs the project writes itself with onnx-proto (the token dream
 * model here, the agents' policy network): tensor declarations, initializers, a node builder
 * with generated names, and the model wrapper. Plain JS (protobufjs), so browser-safe.
 */
import onnxProto from 'onnx-proto';
import type { TensorSpec } from './io.ts';

export const { onnx } = onnxProto;
export const OPSET = 17;

export function valueInfo(t: TensorSpec) {
  return onnx.ValueInfoProto.create({
    name: t.name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: t.dtype === 'int32' ? onnx.TensorProto.DataType.INT32 : onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: t.shape.map((d) =>
            d === 'batch'
              ? onnx.TensorShapeProto.Dimension.create({ dimParam: 'batch' })
              : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
          ),
        }),
      }),
    }),
  });
}

export function floatTensor(name: string, dims: readonly number[], data: Float32Array) {
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  });
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half-precision bits of a float (round half up; overflow → ±infinity). */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  const m = x & 0x7fffff;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const sub = (m | 0x800000) >> (1 - e);
    return sign | ((sub + 0x1000) >> 13);
  }
  return (sign | (e << 10) | (m >> 13)) + ((m >> 12) & 1);
}

export function fromHalf(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** A float initializer stored as float16 (half the bytes; a graph casts it back to float). */
export function halfTensor(name: string, dims: readonly number[], data: Float32Array) {
  const half = Uint16Array.from(data, toHalf);
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: onnx.TensorProto.DataType.FLOAT16,
    rawData: new Uint8Array(half.buffer),
  });
}

export function intTensor(name: string, dims: readonly number[], data: readonly number[], type: 'int32' | 'int64') {
  const arr = type === 'int32' ? Int32Array.from(data) : BigInt64Array.from(data.map((x) => BigInt(x)));
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: type === 'int32' ? onnx.TensorProto.DataType.INT32 : onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(arr.buffer),
  });
}

/** Collects nodes and initializers; `node` returns the name of its output. */
export class GraphBuilder {
  readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly inits: InstanceType<typeof onnx.TensorProto>[] = [];
  private n = 0;

  node(op: string, inputs: string[], attrs: Record<string, number | number[]> = {}, outName?: string): string {
    const out = outName ?? `${op.toLowerCase()}_${this.n++}`;
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
        : Number.isInteger(v) && name !== 'epsilon' && name !== 'alpha'
          ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v })
          : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v }),
    );
    this.nodes.push(onnx.NodeProto.create({ opType: op, input: inputs, output: [out], name: out, attribute }));
    return out;
  }

  /** The serialised model (opset OPSET) with these inputs, outputs and metadata. */
  encode(o: {
    graphName: string;
    producer: string;
    inputs: readonly TensorSpec[];
    outputs: readonly TensorSpec[];
    meta: Record<string, string>;
  }): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: o.graphName,
      node: this.nodes,
      initializer: this.inits,
      input: o.inputs.map(valueInfo),
      output: o.outputs.map(valueInfo),
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: o.producer,
      producerVersion: '1',
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
      graph,
      metadataProps: Object.entries(o.meta).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** The metadata and float initializers of an ONNX file (float16 ones widened; read-back for tests and tools). */
export function readOnnx(bytes: Uint8Array): { meta: Map<string, string>; floats: Map<string, Float32Array> } {
  const model = onnx.ModelProto.decode(bytes);
  const floats = new Map<string, Float32Array>();
  for (const t of model.graph?.initializer ?? []) {
    const raw = t.rawData as Uint8Array;
    const buffer = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    if (t.dataType === onnx.TensorProto.DataType.FLOAT) floats.set(t.name ?? '', new Float32Array(buffer));
    else if (t.dataType === onnx.TensorProto.DataType.FLOAT16)
      floats.set(t.name ?? '', Float32Array.from(new Uint16Array(buffer), fromHalf));
  }
  return { meta: new Map(model.metadataProps.map((p) => [p.key ?? '', p.value ?? ''])), floats };
}
