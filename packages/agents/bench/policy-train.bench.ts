/**
 * Policy training speed (one thread): CPU milliseconds per behaviour-cloning step of the `small`
 * policy (forward, backward, Adam) on real fair-view inputs, and the samples per CPU second that
 * gives. CPU time rather than wall time, so that a loaded machine changes the figure less.
 *   npx tsx packages/agents/bench/policy-train.bench.ts [--steps 20] [--batch 256] [--json]
 */
import { parseArgs } from 'node:util';
import { NUM_ACTIONS, Rng, World } from '@aikon/engine';
import { FRAME_TOKENS, tokenize } from '@aikon/world-model';
import { adamUpdate } from '@aikon/world-model/node';
import { initPolicyWeights, POLICY_CONFIGS, PolicyNet } from '../src/policy/network.ts';
import { bcLoss } from '../src/policy/node/bc.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '256' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const steps = Number(values.steps);
const B = Number(values.batch);
const c = POLICY_CONFIGS.small;
const rng = new Rng(1);

// Fair views of a real episode under random actions (a new world when the player dies).
let world = World.generate({ seed: 3 });
world.addPlayer();
const tokens = new Int32Array(B * c.frames * FRAME_TOKENS);
for (let i = 0; i < B * c.frames; i++) {
  world.step([rng.int(NUM_ACTIONS)]);
  if (world.player(0).done) {
    world = World.generate({ seed: 3 + i });
    world.addPlayer();
  }
  tokens.set(tokenize(world, 0), i * FRAME_TOKENS);
}
const x = { batch: B, tokens, prevAction: Int32Array.from({ length: B }, () => rng.int(NUM_ACTIONS)) };
const actions = Array.from({ length: B }, () => rng.int(NUM_ACTIONS));
const returns = Array.from({ length: B }, () => rng.uniform());

const net = new PolicyNet(c, initPolicyWeights(c, 1));
const grad = new Float32Array(net.params.length);
const moments = { m: new Float32Array(net.params.length), v: new Float32Array(net.params.length) };
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let adamSteps = 0;
const step = (): { loss: number; lossSeconds: number; adamSeconds: number } => {
  const t0 = cpu();
  const { loss } = bcLoss(net, x, actions, returns, grad);
  const t1 = cpu();
  adamUpdate(net.params, grad, moments, ++adamSteps, 1e-3);
  grad.fill(0);
  return { loss, lossSeconds: t1 - t0, adamSeconds: cpu() - t1 };
};
step(); // warm-up (JIT)
let lossSeconds = 0;
let adamSeconds = 0;
const wall0 = performance.now();
for (let i = 0; i < steps; i++) {
  const s = step();
  lossSeconds += s.lossSeconds;
  adamSeconds += s.adamSeconds;
}
const wall = (performance.now() - wall0) / 1000;
const cpuPerStep = (lossSeconds + adamSeconds) / steps;
const result = {
  config: c.name,
  batch: B,
  steps,
  cpuMsPerStep: Math.round(cpuPerStep * 1000),
  forwardBackwardMs: Math.round((lossSeconds / steps) * 1000),
  adamMs: Math.round((adamSeconds / steps) * 1000),
  samplesPerCpuSecond: Math.round(B / cpuPerStep),
  samplesPerWallSecond: Math.round((B * steps) / wall),
};
if (values.json) console.log(JSON.stringify(result));
else
  console.log(
    `policy ${c.name}, batch ${B}: ${result.cpuMsPerStep} ms CPU per BC step (forward + backward ` +
      `${result.forwardBackwardMs}, Adam ${result.adamMs}) → ${result.samplesPerCpuSecond} samples ` +
      `per CPU second (${result.samplesPerWallSecond} per wall second here)`,
  );
