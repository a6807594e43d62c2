/**
 * The respawn trap of issue 15 (#2) in many generated worlds, under each protection rule:
 *   npx tsx packages/engine/scripts/respawn-trap.ts [--worlds 600]
 * A lobby world (spawn protection 40); the player idles through its first protection, then dies
 * with two skeletons 3 tiles either side on a path (as the e2e test sets it up), waits 8 ticks dead and
 * respawns. Prints, per rule, in how many worlds the idle new life was hurt, or died, within 24
 * ticks after its protection ended.
 */
import { parseArgs } from 'node:util';
import { Item, Material, PROTECTION_RULES, type ProtectionRule, World } from '../src/index.ts';

const { values } = parseArgs({ options: { worlds: { type: 'string', default: '600' } }, strict: true });
const worlds = Number(values.worlds);
if (!Number.isSafeInteger(worlds) || worlds < 1) throw new Error(`--worlds must be a positive integer`);

const PROTECTION = 40;
const AFTER = 24;

function trial(seed: number, protectionRule: ProtectionRule): { hurt: boolean; died: boolean } {
  const w = World.generate({ seed, mode: 'persistent', spawnProtection: PROTECTION, protectionRule });
  const first = w.addPlayer();
  for (let i = 0; i < PROTECTION; i++) w.step([0]);
  const { x, y } = first;
  for (let dx = -4; dx <= 4; dx++) {
    if (dx !== 0 && w.inside(x + dx, y) && w.objectAt(x + dx, y) === null) w.setMaterial(x + dx, y, Material.path);
  }
  for (const dx of [-3, 3]) if (w.inside(x + dx, y) && w.objectAt(x + dx, y) === null) w.spawn('skeleton', x + dx, y);
  first.inventory[Item.health] = 0;
  for (let i = 0; i < 9; i++) w.step([0]);
  const p = w.respawn(first.slot);
  let hurt = false;
  for (let i = 0; i < PROTECTION + AFTER && !p.dead; i++) {
    const health = p.inventory[Item.health];
    w.step([0]);
    hurt ||= p.inventory[Item.health] < health;
  }
  return { hurt, died: p.dead };
}

for (const rule of PROTECTION_RULES) {
  let hurt = 0;
  let died = 0;
  for (let s = 0; s < worlds; s++) {
    const r = trial(1000 + s, rule);
    if (r.hurt) hurt++;
    if (r.died) died++;
  }
  console.log(`${rule}: of ${worlds} respawns, hurt within ${AFTER} ticks after the protection ${hurt}, died ${died}`);
}
