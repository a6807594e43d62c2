/**
 * The parameter list of the token dream model: names, shapes and initialisation. Shared by the
 * tfjs trainer, the checkpoint files and the ONNX exporter, so that the three agree by name.
 */
import { NUM_ACTIONS } from '@aikon/engine';
import type { ModelConfig } from './config.ts';
import { inputStreams, REWARD_CLASSES, SEQ, VOCAB } from './tokens.ts';

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** 'normal' draws N(0, std²); 'zeros' / 'ones' are constant. */
  readonly init: 'normal' | 'zeros' | 'ones';
  readonly std?: number;
}

export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const d = c.dModel;
  const s = (name: string, shape: number[], init: ParamSpec['init'], std?: number): ParamSpec => ({
    name,
    shape,
    init,
    std,
  });
  const specs: ParamSpec[] = [
    // Streams: 0 = the noisy target frame, 1..K = context frames (oldest first), then the
    // newest context frame's left/right/up/down view neighbours (tokens.ts NEIGHBOURS).
    s('embed', [inputStreams(c.context) * VOCAB, d], 'normal', 0.05),
    s('pos', [SEQ, d], 'normal', 0.02),
    s('action', [NUM_ACTIONS, d], 'normal', 0.05),
  ];
  const proj = 1 / Math.sqrt(d);
  for (let l = 0; l < c.layers; l++) {
    specs.push(
      s(`l${l}.ln1.g`, [d], 'ones'),
      s(`l${l}.ln1.b`, [d], 'zeros'),
      s(`l${l}.wq`, [d, d], 'normal', proj),
      s(`l${l}.wk`, [d, d], 'normal', proj),
      s(`l${l}.wv`, [d, d], 'normal', proj),
      s(`l${l}.wo`, [d, d], 'normal', proj / Math.sqrt(2 * c.layers)),
      s(`l${l}.bo`, [d], 'zeros'),
      s(`l${l}.ln2.g`, [d], 'ones'),
      s(`l${l}.ln2.b`, [d], 'zeros'),
      s(`l${l}.w1`, [d, c.ff], 'normal', proj),
      s(`l${l}.b1`, [c.ff], 'zeros'),
      s(`l${l}.w2`, [c.ff, d], 'normal', 1 / Math.sqrt(c.ff) / Math.sqrt(2 * c.layers)),
      s(`l${l}.b2`, [d], 'zeros'),
    );
  }
  specs.push(
    s('lnf.g', [d], 'ones'),
    s('lnf.b', [d], 'zeros'),
    s('out.w', [d, VOCAB], 'normal', proj),
    s('out.b', [VOCAB], 'zeros'),
    s('reward.w', [d, REWARD_CLASSES], 'normal', proj),
    s('reward.b', [REWARD_CLASSES], 'zeros'),
    s('done.w', [d, 1], 'normal', proj),
    s('done.b', [1], 'zeros'),
  );
  return specs;
}

export function paramCount(c: ModelConfig): number {
  return paramSpecs(c).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Weights as plain arrays by name (checkpoints, export). */
export type Weights = Map<string, Float32Array>;
