/**
 * Writes a PNG of one player's agent-view observation after some steps, for people to look at.
 *   npx tsx packages/engine/scripts/render-png.ts --seed 1 --steps 100 --size 64 --out obs.png
 * Options:
 *   --seed N      world seed (default 1)
 *   --steps N     steps to play before rendering (default 0)
 *   --size N      observation size in pixels (default 64)
 *   --out FILE    output PNG (default obs-<seed>-<steps>.png)
 *   --scale N     enlarge the written PNG N× by nearest neighbour, for viewing (default 1)
 *   --policy P    'random' (a seeded random agent, the default) or 'noop'
 *   --players N   players in the world (default 1); every one acts by the policy
 *   --slot N      whose view to render (default 0)
 *   --bench S     also time renders of this state for S seconds (into one reused buffer)
 *                 and print renders per second, by day (t as reached) and at midnight
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import { NUM_ACTIONS, Rng, World } from '../src/index.ts';
import { AgentViewRenderer } from '../src/render/agent-view.ts';
import { loadTextures } from '../src/node.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '0' },
    size: { type: 'string', default: '64' },
    out: { type: 'string' },
    scale: { type: 'string', default: '1' },
    policy: { type: 'string', default: 'random' },
    players: { type: 'string', default: '1' },
    slot: { type: 'string', default: '0' },
    bench: { type: 'string' },
  },
  strict: true,
});

function int(name: keyof typeof values, min: number): number {
  const v = Number(values[name]);
  if (!Number.isSafeInteger(v) || v < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got ${values[name]}`);
  return v;
}
const seed = int('seed', 0);
const steps = int('steps', 0);
const size = int('size', 9);
const scale = int('scale', 1);
const players = int('players', 1);
const slot = int('slot', 0);
if (values.policy !== 'random' && values.policy !== 'noop') throw new Error(`--policy must be random or noop`);
const out = values.out ?? `obs-${seed}-${steps}.png`;

const world = World.generate({ seed });
for (let i = 0; i < players; i++) world.addPlayer();
const agent = new Rng(seed ^ 0x5eed);
const actions = new Array<number>(players).fill(0);
for (let t = 0; t < steps && !world.over; t++) {
  for (let i = 0; i < players; i++) actions[i] = values.policy === 'random' ? agent.int(NUM_ACTIONS) : 0;
  world.step(actions);
}
const renderer = new AgentViewRenderer(loadTextures(), size);
const rgb = renderer.render(world, slot);
const W = size * scale;
const big = new Uint8Array(W * W * 3);
for (let y = 0; y < W; y++) {
  for (let x = 0; x < W; x++) {
    const s = (Math.floor(y / scale) * size + Math.floor(x / scale)) * 3;
    big.set(rgb.subarray(s, s + 3), (y * W + x) * 3);
  }
}
writeFileSync(out, encode({ width: W, height: W, data: big, channels: 3, depth: 8 }));
const p = world.player(slot);
console.log(
  `${out}: seed ${seed}, t ${world.t}, daylight ${world.daylight.toFixed(3)}, player ${slot} at (${p.x}, ${p.y})` +
    `${p.sleeping ? ' asleep' : ''}${p.dead ? ' dead' : ''}, ${size}×${size}${scale > 1 ? ` shown ×${scale}` : ''}`,
);

if (values.bench !== undefined) {
  const seconds = Number(values.bench);
  if (!(seconds > 0)) throw new Error(`--bench must be a positive number of seconds, got ${values.bench}`);
  const buffer = new Uint8Array(size * size * 3);
  const time = (label: string) => {
    for (let i = 0; i < 200; i++) renderer.render(world, slot, buffer); // warm up
    let n = 0;
    const start = performance.now();
    const cpu = process.cpuUsage();
    const end = start + seconds * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 100; i++) renderer.render(world, slot, buffer);
      n += 100;
    }
    const perSecond = n / ((performance.now() - start) / 1000);
    const used = process.cpuUsage(cpu);
    const perCpuSecond = n / ((used.user + used.system) / 1e6);
    // CPU time is the fairer figure on a shared machine; wall time is what one thread gets now.
    console.log(
      `${label}: ${Math.round(perSecond)} renders/s wall, ${Math.round(perCpuSecond)} per CPU-second ` +
        `at ${size}×${size} (${(1e6 / perCpuSecond).toFixed(1)} µs CPU each)`,
    );
  };
  time(`t ${world.t}, daylight ${world.daylight.toFixed(3)}`);
  const [t, daylight] = [world.t, world.daylight];
  world.t = 210;
  world.daylight = 0;
  time('midnight (daylight 0, noise on every pixel)');
  world.t = t;
  world.daylight = daylight;
}
