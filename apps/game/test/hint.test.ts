import { describe, expect, it } from 'vitest';
import { Item, Material, World } from '@aikon/engine';
import { SoloCore } from '../src/game/solo-core.ts';
import { facingHint } from '../src/game/hint.ts';

function frameFacing(material: number, inventory: Partial<Record<keyof typeof Item, number>> = {}) {
  const core = new SoloCore(1);
  const world = World.blank({ seed: 1, fill: 'grass' });
  const p = world.addPlayer();
  for (const [name, n] of Object.entries(inventory)) p.inventory[Item[name as keyof typeof Item]] = n!;
  world.setMaterial(p.x, p.y + 1, material); // the player faces down
  core.world = world;
  const frame = core.frame();
  return { frame, me: frame.players[0] };
}

describe('facingHint', () => {
  it('reads the collect rules: trees give wood, stone needs a pickaxe', () => {
    let { frame, me } = frameFacing(Material.tree);
    expect(facingHint(frame, me)).toBe('Tree: Space collects wood.');
    ({ frame, me } = frameFacing(Material.stone));
    expect(facingHint(frame, me)).toBe('Stone: needs a wood pickaxe.');
    ({ frame, me } = frameFacing(Material.stone, { wood_pickaxe: 1 }));
    expect(facingHint(frame, me)).toBe('Stone: Space collects stone.');
  });
  it('warns about lava and names stations and creatures', () => {
    let { frame, me } = frameFacing(Material.lava);
    expect(facingHint(frame, me)).toMatch(/Lava/);
    ({ frame, me } = frameFacing(Material.table));
    expect(facingHint(frame, me)).toMatch(/table/);
    const core = new SoloCore(1);
    const world = World.blank({ seed: 1, fill: 'grass' });
    const p = world.addPlayer();
    world.spawn('zombie', p.x, p.y + 1);
    core.world = world;
    const f = core.frame();
    expect(facingHint(f, f.players[0])).toMatch(/zombie/);
  });
});
