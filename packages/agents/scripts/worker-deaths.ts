/**
 * The respawn death loop of issue 15 (#2), measured for one AI worker without the relay:
 *   npx tsx packages/agents/scripts/worker-deaths.ts [--ticks 8000] [--seeds 1,2,3,4,5,6]
 * One worker (the relay's scripted commander with fair senses, goal "all achievements") alone in a
 * lobby world, respawned 24 ticks after each death as the relay's workforce does, under each of:
 * no spawn protection, protection 40 with engine 0.2.x's 'target' rule, and with the 'keep-away'
 * rule. Prints deaths per 1,000 ticks and how many lives ended within 100 ticks.
 */
import { parseArgs } from 'node:util';
import { PROTECTION_RULES, type ProtectionRule, World } from '@aikon/engine';
import { Commander } from '../src/commander.ts';

const { values } = parseArgs({
  options: { ticks: { type: 'string', default: '8000' }, seeds: { type: 'string', default: '1,2,3,4,5,6' } },
  strict: true,
});
const ticks = Number(values.ticks);
const seeds = values.seeds.split(',').map(Number);
if (!Number.isSafeInteger(ticks) || ticks < 1) throw new Error(`--ticks must be a positive integer`);
if (seeds.some((s) => !Number.isSafeInteger(s))) throw new Error(`--seeds must be integers`);

/** The relay's RESPAWN_TICKS (apps/relay-server/src/workforce.ts) and its default spawnProtectionTicks. */
const RESPAWN_TICKS = 24;
const PROTECTION = 40;
const SHORT_LIFE = 100;

/** The length of every life that ended in death. */
function lives(seed: number, rule: ProtectionRule | null): number[] {
  const world = World.generate({
    seed,
    mode: 'persistent',
    spawnProtection: rule === null ? 0 : PROTECTION,
    protectionRule: rule ?? undefined,
  });
  const { slot } = world.addPlayer();
  const commander = new Commander(world, { sense: 'fair' });
  commander.addWorker(slot);
  const set = commander.setGoal({ kind: 'all' }, 'host');
  if (!set.ok) throw new Error(`goal refused: ${set.reason}`);
  const ended: number[] = [];
  let bornAt = 0;
  let deadSince: number | null = null;
  for (let i = 0; i < ticks; i++) {
    if (world.player(slot).dead) {
      deadSince ??= world.t;
      if (world.t - deadSince >= RESPAWN_TICKS) {
        world.respawn(slot);
        deadSince = null;
        bornAt = world.t;
      }
    }
    const body = world.player(slot);
    const alive = !body.dead;
    world.step(commander.tick());
    if (alive && body.dead) ended.push(world.t - bornAt);
  }
  return ended;
}

for (const rule of [null, ...PROTECTION_RULES]) {
  const all = seeds.flatMap((seed) => lives(seed, rule));
  const perThousand = ((all.length / (ticks * seeds.length)) * 1000).toFixed(1);
  const short = all.filter((l) => l < SHORT_LIFE).length;
  console.log(
    `${rule === null ? 'no protection' : `protection ${PROTECTION}, ${rule}`}: ${perThousand} deaths per 1,000 ticks ` +
      `(${all.length} in ${ticks * seeds.length}), ${short} lives under ${SHORT_LIFE} ticks`,
  );
}
