import { describe, expect, it } from 'vitest';
import { Achievement, type Entity, type MaterialName, ObjectKind, type World } from '../src/index.ts';
import { toward } from '../src/creatures.ts';
import {
  Action,
  box,
  Direction,
  feed,
  Item,
  Material,
  mat,
  place,
  setup,
  step,
  steps,
  sumAchievements,
} from './helpers.ts';

/**
 * Runs `trials` single steps of a hand-built world; before each, `reset` puts the creature back.
 * The step counter is reset to 0 first so that no balancing run (t % 10 = 0) ever happens.
 */
function trials(world: World, n: number, reset: () => void, after: () => void): void {
  for (let i = 0; i < n; i++) {
    world.t = 0;
    reset();
    step(world, Action.noop);
    after();
  }
}

function arrows(world: World): Entity[] {
  return world.objects.filter((o) => o.kind === ObjectKind.arrow && !o.removed);
}

describe('§10.6 plants', () => {
  function plantInFront() {
    const s = setup({ fill: 'sand' });
    place(s.world, s.p, 32, 32, Direction.left);
    mat(s.world, 31, 32, 'grass');
    const plant = s.world.spawn('plant', 31, 32);
    return { ...s, plant };
  }

  it('#51 do on an unripe plant changes nothing (plant health stays 1)', () => {
    const { world, p, plant } = plantInFront();
    p.inventory[Item.food] = 3;
    plant.grown = 250;
    step(world, Action.do);
    expect(plant.health).toBe(1);
    expect(plant.removed).toBe(false);
    expect(plant.grown).toBe(251);
    expect(p.inventory[Item.food]).toBe(3);
    expect(sumAchievements(p)).toBe(0);
  });

  it('#52 do on a ripe plant gives food +4, unlocks eat_plant, resets grown, the plant remains', () => {
    const { world, p, plant } = plantInFront();
    p.inventory[Item.food] = 3;
    p.hunger = 20;
    plant.grown = 301;
    step(world, Action.do);
    expect(p.inventory[Item.food]).toBe(7);
    expect(p.achievements[Achievement.eat_plant]).toBe(1);
    // Reset to 0 by the player, then +1 by the plant's own update later in the same step.
    expect(plant.grown).toBe(1);
    expect(plant.removed).toBe(false);
    expect(world.objectAt(31, 32)).toBe(plant);
    // Eating a plant does not reset hunger.
    expect(p.hunger).toBe(21);
  });

  it('#53 a plant is not ripe after 300 updates and is ripe after 301', () => {
    const { world, p, plant } = plantInFront();
    for (let i = 0; i < 300; i++) {
      feed(p);
      step(world, Action.noop);
    }
    expect(plant.grown).toBe(300);
    p.inventory[Item.food] = 1;
    step(world, Action.do); // step 301: the player acts before the plant's 301st update
    expect(p.inventory[Item.food]).toBe(1);
    expect(p.achievements[Achievement.eat_plant]).toBe(0);
    expect(plant.grown).toBe(301);
    step(world, Action.do); // ripe now
    expect(p.inventory[Item.food]).toBe(5);
    expect(p.achievements[Achievement.eat_plant]).toBe(1);
  });

  it('#53 / §7.2.4 a plant placed at step t first updates at step t + 1 (eaten from t + 302 on)', () => {
    const { world, p } = setup({ fill: 'sand' });
    place(world, p, 32, 32, Direction.left);
    mat(world, 31, 32, 'grass');
    p.inventory[Item.sapling] = 1;
    step(world, Action.place_plant); // t = 1
    const plant = world.objectAt(31, 32)!;
    expect(plant.kind).toBe(ObjectKind.plant);
    expect(plant.grown).toBe(0);
    step(world, Action.noop);
    expect(plant.grown).toBe(1);
    while (world.t < 302) {
      feed(p);
      step(world, Action.noop);
    }
    expect(plant.grown).toBe(301); // ripe at the end of step 1 + 301
    p.inventory[Item.food] = 1;
    step(world, Action.do); // step 303 = t + 302
    expect(p.achievements[Achievement.eat_plant]).toBe(1);
    expect(p.inventory[Item.food]).toBe(5);
  });

  it.each<'cow' | 'zombie' | 'skeleton'>(['cow', 'zombie', 'skeleton'])(
    '#54 a plant with a %s orthogonally adjacent is removed at its next update',
    (kind) => {
      const { world } = setup({ fill: 'sand', t: 180 });
      mat(world, 26, 26, 'grass');
      const plant = world.spawn('plant', 26, 26);
      const c = world.spawn(kind, 27, 26);
      box(world, 27, 26, 'stone');
      step(world, Action.noop);
      expect([c.x, c.y]).toEqual([27, 26]);
      expect(plant.removed).toBe(true);
      expect(world.objectAt(26, 26)).toBeNull();
    },
  );

  it('#55 a plant with a creature only diagonally adjacent survives', () => {
    const { world } = setup({ fill: 'sand', t: 180 });
    mat(world, 26, 26, 'grass');
    const plant = world.spawn('plant', 26, 26);
    const cows = [world.spawn('cow', 27, 27), world.spawn('zombie', 25, 25), world.spawn('cow', 27, 25)];
    for (const c of cows) box(world, c.x, c.y, 'stone');
    steps(world, Action.noop, 40);
    for (const c of cows) expect(c.removed).toBe(false);
    expect(plant.removed).toBe(false);
    expect(plant.grown).toBe(40);
  });

  it('§10.6 a player next to a plant never harms it', () => {
    const { world } = setup({ fill: 'sand' });
    mat(world, 31, 32, 'grass');
    const plant = world.spawn('plant', 31, 32);
    steps(world, Action.noop, 20);
    expect(plant.removed).toBe(false);
    expect(plant.health).toBe(1);
  });

  it('§7.2.4 the update radius uses positions at the object’s turn (after the player moved this step)', () => {
    const { world, p } = setup({ fill: 'grass' });
    const plant = world.spawn('plant', 14, 32); // distance 18
    step(world, Action.noop);
    expect(plant.grown).toBe(0);
    step(world, Action.move_left); // now 17 when the plant's turn comes
    expect(p.x).toBe(31);
    expect(plant.grown).toBe(1);
    step(world, Action.move_right); // back to 18 before its turn
    expect(plant.grown).toBe(1);
  });

  it('#56 a plant at Manhattan distance ≥ 18 from the player does not grow; at 17 it does', () => {
    const { world } = setup({ fill: 'grass' });
    const far = world.spawn('plant', 32 - 18, 32);
    const far2 = world.spawn('plant', 32 + 9, 32 + 9);
    const near = world.spawn('plant', 32 - 8, 32 - 9);
    steps(world, Action.noop, 25);
    expect(far.grown).toBe(0);
    expect(far2.grown).toBe(0);
    expect(near.grown).toBe(25);
  });
});

describe('§10.1 moving toward a target', () => {
  const at = (x: number, y: number) => ({ x, y }) as Entity;
  it('long-axis rule: the longer axis, ties to y; short-axis rule: the shorter axis, ties to x', () => {
    expect(toward(at(0, 0), at(5, 2), true)).toEqual([1, 0]);
    expect(toward(at(0, 0), at(2, -5), true)).toEqual([0, -1]);
    expect(toward(at(0, 0), at(-3, 3), true)).toEqual([0, 1]);
    expect(toward(at(0, 0), at(5, 2), false)).toEqual([0, 1]);
    expect(toward(at(0, 0), at(2, -5), false)).toEqual([1, 0]);
    expect(toward(at(0, 0), at(-3, 3), false)).toEqual([-1, 0]);
    // sign(0) = 0: the step can be (0, 0).
    const [dx, dy] = toward(at(0, 0), at(4, 0), false);
    expect(Math.abs(dx) + Math.abs(dy)).toBe(0);
  });
});

describe('§10.3 zombies', () => {
  /** Boxed zombie right of the player (can move nowhere), sand, night. */
  function adjacentZombie() {
    const s = setup({ fill: 'sand', t: 180 });
    const z = s.world.spawn('zombie', 33, 32);
    box(s.world, 33, 32, 'stone');
    return { ...s, z };
  }

  it('#69 a zombie adjacent with cooldown 0 hits at once; kept adjacent it hits every 6 steps', () => {
    const { world, p, z } = adjacentZombie();
    const hitSteps: number[] = [];
    let last = p.inventory[Item.health];
    for (let i = 1; i <= 19; i++) {
      step(world, Action.noop);
      const h = p.inventory[Item.health];
      if (h < last) {
        expect(last - h).toBe(2);
        hitSteps.push(i);
      }
      last = h;
    }
    expect(hitSteps).toEqual([1, 7, 13, 19]);
    expect([z.x, z.y]).toEqual([33, 32]);
  });

  it('#67 a zombie hit on an awake player removes 2 health; on a sleeping one 7', () => {
    const awake = adjacentZombie();
    step(awake.world, Action.noop);
    expect(awake.p.inventory[Item.health]).toBe(7);
    expect(awake.p.reward).toBeCloseTo(-0.2, 12);
    const asleep = adjacentZombie();
    asleep.p.inventory[Item.energy] = 5;
    step(asleep.world, Action.sleep);
    expect(asleep.p.inventory[Item.health]).toBe(2);
    expect(asleep.p.reward).toBeCloseTo(-0.7, 12);
  });

  it('#70 a zombie’s cooldown does not change while it is not adjacent to the player', () => {
    const { world, p } = setup({ fill: 'sand', t: 180 });
    const z = world.spawn('zombie', 34, 32); // distance 2, boxed
    box(world, 34, 32, 'stone');
    z.cooldown = 3;
    steps(world, Action.noop, 30);
    expect(z.cooldown).toBe(3);
    expect(p.inventory[Item.health]).toBe(9);
    // Once adjacent it counts down.
    mat(world, 33, 32, 'sand');
    world.moveEntity(z, 33, 32);
    box(world, 33, 32, 'stone');
    step(world, Action.noop);
    expect(z.cooldown).toBe(2);
  });

  it('#71 a diagonally adjacent zombie never hits', () => {
    const { world, p } = setup({ fill: 'sand', t: 180 });
    const z = world.spawn('zombie', 33, 33);
    box(world, 33, 33, 'stone');
    // Also block the player's own neighbours the zombie could use.
    steps(world, Action.noop, 40);
    expect([z.x, z.y]).toEqual([33, 33]);
    expect(p.inventory[Item.health]).toBe(9);
    expect(z.cooldown).toBe(0);
  });

  it.each<MaterialName>(['water', 'lava', 'stone', 'tree', 'table', 'furnace', 'coal'])(
    '#72 zombies never step onto %s',
    (name) => {
      const { world } = setup({ fill: 'sand', t: 180 });
      const z = world.spawn('zombie', 29, 32); // distance 3: it wants to walk right
      box(world, 29, 32, name);
      steps(world, Action.noop, 60);
      expect([z.x, z.y]).toEqual([29, 32]);
    },
  );

  it('§10.3 zombies walk on grass, sand and path', () => {
    for (const name of ['grass', 'sand', 'path'] as const) {
      const { world } = setup({ fill: 'sand', t: 180 });
      const z = world.spawn('zombie', 28, 32);
      box(world, 28, 32, 'water');
      mat(world, 29, 32, name);
      let moved = false;
      for (let i = 0; i < 30 && !moved; i++) {
        step(world, Action.noop);
        moved = z.x === 29;
      }
      expect(moved).toBe(true);
    }
  });

  it('§10.3 near zombie (d ≤ 8): moves toward the player with p 0.9·0.8 + 0.1·0.25 (statistical)', () => {
    const { world, p } = setup({ fill: 'sand', seed: 5 });
    const z = world.spawn('zombie', 28, 32); // dx = 4, dy = 0
    const counts = { right: 0, left: 0, up: 0, down: 0, none: 0 };
    const n = 4000;
    trials(
      world,
      n,
      () => {
        world.moveEntity(z, 28, 32);
        z.cooldown = 0;
        feed(p);
      },
      () => {
        if (z.x === 29) counts.right++;
        else if (z.x === 27) counts.left++;
        else if (z.y === 31) counts.up++;
        else if (z.y === 33) counts.down++;
        else counts.none++;
      },
    );
    // Long-axis (0.9·0.8) goes right; short-axis gives (0, 0) and fails (0.9·0.2);
    // random (0.1) goes each way with 0.025.
    expect(counts.right / n).toBeCloseTo(0.745, 1);
    expect(Math.abs(counts.right / n - 0.745)).toBeLessThan(0.035);
    expect(Math.abs(counts.none / n - 0.18)).toBeLessThan(0.03);
    for (const k of ['left', 'up', 'down'] as const) expect(Math.abs(counts[k] / n - 0.025)).toBeLessThan(0.015);
  });

  it('§10.3 far zombie (d > 8): a uniformly random direction every update', () => {
    const { world, p } = setup({ fill: 'sand', seed: 6 });
    const z = world.spawn('zombie', 20, 32); // d = 12
    const counts = [0, 0, 0, 0];
    const n = 4000;
    trials(
      world,
      n,
      () => {
        world.moveEntity(z, 20, 32);
        feed(p);
      },
      () => {
        const i = z.x === 19 ? 0 : z.x === 21 ? 1 : z.y === 31 ? 2 : z.y === 33 ? 3 : -1;
        expect(i).toBeGreaterThanOrEqual(0);
        counts[i]++;
      },
    );
    for (const c of counts) expect(Math.abs(c / n - 0.25)).toBeLessThan(0.035);
  });

  it('§10.3 near zombie off-axis: long-axis rule (0.8) along x, short-axis rule (0.2) along y (statistical)', () => {
    const { world, p } = setup({ fill: 'sand', seed: 15 });
    const z = world.spawn('zombie', 28, 30); // dx = 4, dy = 2
    let right = 0;
    let down = 0;
    const n = 4000;
    trials(
      world,
      n,
      () => {
        world.moveEntity(z, 28, 30);
        feed(p);
      },
      () => {
        if (z.x === 29) right++;
        if (z.y === 31) down++;
      },
    );
    // right: 0.9 · 0.8 + 0.1 · 0.25 = 0.745; down: 0.9 · 0.2 + 0.1 · 0.25 = 0.205.
    expect(Math.abs(right / n - 0.745)).toBeLessThan(0.035);
    expect(Math.abs(down / n - 0.205)).toBeLessThan(0.03);
  });

  it('§10.3 the attack uses the distance after moving: a zombie stepping next to the player hits that update', () => {
    const { world, p } = setup({ fill: 'sand', t: 180 });
    const z = world.spawn('zombie', 34, 32); // distance 2 in a corridor
    mat(world, 34, 31, 'stone');
    mat(world, 34, 33, 'stone');
    mat(world, 35, 32, 'stone');
    mat(world, 33, 31, 'stone');
    mat(world, 33, 33, 'stone');
    // It can only move left (toward the player); repeat until it does.
    let i = 0;
    while (z.x === 34 && i++ < 50) step(world, Action.noop);
    expect(z.x).toBe(33);
    expect(p.inventory[Item.health]).toBe(7);
  });
});

describe('§10.4 skeletons and §10.5 arrows', () => {
  it('#73 a skeleton fires at most once per 4 steps', () => {
    const { world, p } = setup({ fill: 'sand' });
    // d = 5 in the player's row; water around (it cannot move, arrows can appear there).
    const sk = world.spawn('skeleton', 27, 32);
    box(world, 27, 32, 'water');
    mat(world, 29, 32, 'stone'); // arrows stop here
    const shots: number[] = [];
    for (let i = 1; i <= 300; i++) {
      feed(p);
      const before = new Set(world.objects.map((o) => o.id));
      step(world, Action.noop);
      for (const a of arrows(world)) if (!before.has(a.id)) shots.push(i);
    }
    expect([sk.x, sk.y]).toEqual([27, 32]);
    expect(shots.length).toBeGreaterThan(20);
    for (let k = 1; k < shots.length; k++) expect(shots[k] - shots[k - 1]).toBeGreaterThanOrEqual(4);
    expect(shots.some((s, k) => k > 0 && s - shots[k - 1] === 4)).toBe(true);
    expect(p.inventory[Item.health]).toBe(9);
  });

  it('#74 a shot creates an arrow on the adjacent tile in the long-axis direction, moving from the next step', () => {
    // Cases: (skeleton position) → expected arrow tile and direction. Player at (32, 32).
    const cases: [number, number, number, number, number][] = [
      [28, 31, 29, 31, Direction.right], // dx 4, dy 1 → x
      [32, 28, 32, 29, Direction.down], // dx 0, dy 4
      [30, 30, 30, 31, Direction.down], // tie dx = dy = 2 → y
      [35, 33, 34, 33, Direction.left], // dx −3, dy −1 → x (d = 4)
    ];
    for (const [sx, sy, ax, ay, dir] of cases) {
      const { world, p } = setup({ fill: 'sand', seed: sx * 100 + sy });
      const sk = world.spawn('skeleton', sx, sy);
      box(world, sx, sy, 'water');
      let arrow: Entity | undefined;
      for (let i = 0; i < 40 && !arrow; i++) {
        feed(p);
        world.t = 0;
        step(world, Action.noop);
        arrow = arrows(world)[0];
      }
      expect(arrow).toBeDefined();
      expect([arrow!.x, arrow!.y, arrow!.dir]).toEqual([ax, ay, dir]);
      expect(sk.reload).toBe(4);
      const [x0, y0] = [arrow!.x, arrow!.y];
      step(world, Action.noop);
      const [dx, dy] = [
        [-1, 0],
        [1, 0],
        [0, -1],
        [0, 1],
      ][dir];
      if (!arrow!.removed) expect([arrow!.x, arrow!.y]).toEqual([x0 + dx, y0 + dy]);
      expect(sk.reload).toBe(3);
    }
  });

  it('§10.4 a skeleton within 3 retreats when it can (and then does not shoot)', () => {
    const { world, p } = setup({ fill: 'sand', seed: 9 });
    const sk = world.spawn('skeleton', 30, 32); // d = 2: away = left
    let moves = 0;
    const n = 2000;
    trials(
      world,
      n,
      () => {
        for (const a of arrows(world)) world.removeEntity(a);
        world.moveEntity(sk, 30, 32);
        sk.reload = 0;
        feed(p);
        p.inventory[Item.health] = 9;
      },
      () => {
        const shot = arrows(world).length > 0;
        if (sk.x === 29) moves++;
        // A shot means the retreat failed and the skeleton stayed.
        if (shot) expect([sk.x, sk.y]).toEqual([30, 32]);
      },
    );
    // Long-axis rule (0.6) gives (−1, 0); short-axis gives (0, 0) and fails; after a failed
    // retreat only the random branch (0.4 · 0.5 · 0.7 · 0.2 · 0.25) can also step left.
    expect(Math.abs(moves / n - 0.607)).toBeLessThan(0.04);
  });

  it('§10.4 retreat off-axis: long-axis rule (0.6) then negated along x, short-axis (0.4) along y', () => {
    const { world, p } = setup({ fill: 'sand', seed: 16 });
    const sk = world.spawn('skeleton', 30, 31); // dx = 2, dy = 1, d = 3
    let left = 0;
    let up = 0;
    const n = 3000;
    trials(
      world,
      n,
      () => {
        for (const a of arrows(world)) world.removeEntity(a);
        world.moveEntity(sk, 30, 31);
        sk.reload = 0;
        feed(p);
        p.inventory[Item.health] = 9;
      },
      () => {
        if (sk.x === 29) left++;
        if (sk.y === 30) up++;
      },
    );
    // Every retreat succeeds on open sand, so nothing else happens in this update.
    expect(Math.abs(left / n - 0.6)).toBeLessThan(0.04);
    expect(Math.abs(up / n - 0.4)).toBeLessThan(0.04);
    expect(left + up).toBe(n);
  });

  it('§10.4.5c a skeleton farther than 8 (inside the update radius) only wanders, with probability 0.2', () => {
    const { world, p } = setup({ fill: 'sand', seed: 17 });
    const sk = world.spawn('skeleton', 20, 32); // d = 12
    let moved = 0;
    const n = 3000;
    trials(
      world,
      n,
      () => {
        world.moveEntity(sk, 20, 32);
        feed(p);
      },
      () => {
        expect(arrows(world)).toEqual([]);
        if (sk.x !== 20 || sk.y !== 32) moved++;
      },
    );
    expect(Math.abs(moved / n - 0.2)).toBeLessThan(0.03);
  });

  it('§10.4 skeletons walk on grass, sand and path only (not tied to tunnels once spawned)', () => {
    const { world } = setup({ fill: 'sand' });
    const sk = world.spawn('skeleton', 20, 32);
    mat(world, 19, 32, 'grass');
    mat(world, 21, 32, 'path');
    mat(world, 20, 31, 'water');
    mat(world, 20, 33, 'lava');
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      world.t = 0;
      world.moveEntity(sk, 20, 32);
      step(world, Action.noop);
      seen.add(world.getMaterial(sk.x, sk.y));
    }
    expect(seen).toEqual(new Set([Material.sand, Material.grass, Material.path]));
  });

  it('§10.4.5 a blocked retreat falls through: the skeleton may shoot in the same update', () => {
    const { world, p } = setup({ fill: 'sand', seed: 10 });
    const sk = world.spawn('skeleton', 30, 32);
    box(world, 30, 32, 'water');
    let shots = 0;
    const n = 1000;
    trials(
      world,
      n,
      () => {
        for (const a of arrows(world)) world.removeEntity(a);
        sk.reload = 0;
        feed(p);
        p.inventory[Item.health] = 9;
      },
      () => {
        if (arrows(world).length > 0) shots++;
      },
    );
    expect(Math.abs(shots / n - 0.5)).toBeLessThan(0.05);
  });

  it('§10.4.5 branch a with reload > 0 does nothing else; branches b and c otherwise (statistical)', () => {
    const { world, p } = setup({ fill: 'sand', seed: 11 });
    const sk = world.spawn('skeleton', 27, 32); // d = 5
    let moved = 0;
    let toward = 0;
    const n = 4000;
    trials(
      world,
      n,
      () => {
        world.moveEntity(sk, 27, 32);
        sk.reload = 50;
        feed(p);
      },
      () => {
        expect(arrows(world).length).toBe(0);
        if (sk.x !== 27 || sk.y !== 32) moved++;
        if (sk.x === 28) toward++;
      },
    );
    // Branch a (0.5) does nothing; then b (0.3): toward, long-axis (0.6) → right, short-axis
    // → (0, 0) fails; else c (0.7 · 0.2): random. P(move) = 0.5 · (0.3 · 0.6 + 0.7 · 0.2) = 0.16,
    // P(right) = 0.5 · (0.3 · 0.6 + 0.7 · 0.2 · 0.25) = 0.1075. (Falling through to b/c after a
    // would give 0.32.)
    expect(Math.abs(moved / n - 0.16)).toBeLessThan(0.03);
    expect(Math.abs(toward / n - 0.1075)).toBeLessThan(0.025);
  });

  it.each<MaterialName>(['grass', 'sand', 'path', 'water', 'lava'])(
    '#75 an arrow moves one tile per step over %s',
    (name) => {
      const { world } = setup({ fill: 'sand' });
      for (let x = 20; x <= 30; x++) mat(world, x, 28, name);
      const a = world.spawn('arrow', 20, 28);
      a.dir = Direction.right;
      for (let i = 1; i <= 10; i++) {
        step(world, Action.noop);
        expect([a.x, a.y]).toEqual([20 + i, 28]);
      }
      expect(world.getMaterial(25, 28)).toBe(Material[name]);
    },
  );

  it('#76 an arrow entering the player’s tile removes 2 health and disappears', () => {
    const { world, p } = setup({ fill: 'sand' });
    const a = world.spawn('arrow', 32, 29);
    a.dir = Direction.down;
    step(world, Action.noop);
    step(world, Action.noop);
    expect(p.inventory[Item.health]).toBe(9);
    step(world, Action.noop); // from (32, 31) into the player
    expect(p.inventory[Item.health]).toBe(7);
    expect(a.removed).toBe(true);
    expect(world.objects.length).toBe(0);
    expect(p.reward).toBeCloseTo(-0.2, 12);
  });

  it('§9 arrow damage is 2 also while the player sleeps, and wakes it one update later', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.energy] = 3;
    step(world, Action.sleep);
    const a = world.spawn('arrow', 32, 31);
    a.dir = Direction.down;
    step(world, Action.sleep);
    expect(p.inventory[Item.health]).toBe(7);
    expect(p.sleeping).toBe(true);
    step(world, Action.noop);
    expect(p.sleeping).toBe(false);
    expect(p.achievements[Achievement.wake_up]).toBe(0);
  });

  it('#77 an arrow into a table (or furnace) turns it into path and disappears; into stone it just disappears', () => {
    for (const [name, after] of [
      ['table', 'path'],
      ['furnace', 'path'],
      ['stone', 'stone'],
      ['tree', 'tree'],
      ['iron', 'iron'],
    ] as const) {
      const { world } = setup({ fill: 'sand' });
      mat(world, 25, 28, name);
      const a = world.spawn('arrow', 24, 28);
      a.dir = Direction.right;
      step(world, Action.noop);
      expect(a.removed).toBe(true);
      expect(world.getMaterial(25, 28)).toBe(Material[after]);
      expect(world.objectAt(24, 28)).toBeNull();
    }
    // Off the world edge: removed.
    const { world, p } = setup({ fill: 'sand' });
    place(world, p, 20, 5);
    const a = world.spawn('arrow', 20, 0);
    a.dir = Direction.up;
    step(world, Action.noop);
    expect(a.removed).toBe(true);
  });

  it('#78 an arrow hitting a cow reduces it by 2 and grants the player nothing', () => {
    const { world, p } = setup({ fill: 'sand' });
    p.inventory[Item.food] = 4;
    const cow = world.spawn('cow', 30, 28);
    box(world, 30, 28, 'stone', [[29, 28]]);
    const a = world.spawn('arrow', 29, 28); // created after the cow: the cow updates first
    a.dir = Direction.right;
    step(world, Action.noop);
    expect(cow.health).toBe(1);
    expect(a.removed).toBe(true);
    expect(sumAchievements(p)).toBe(0);
    expect(p.inventory[Item.food]).toBe(4);
    // A second arrow leaves it at 0; it removes itself at its next update, nobody eats it.
    const b = world.spawn('arrow', 29, 28);
    b.dir = Direction.right;
    world.moveEntity(cow, 30, 28);
    step(world, Action.noop);
    expect(cow.health).toBe(0);
    step(world, Action.noop);
    expect(cow.removed).toBe(true);
    expect(sumAchievements(p)).toBe(0);
    expect(p.inventory[Item.food]).toBe(4);
  });

  it('§10.5 arrows hit zombies, skeletons, plants; other arrows take no damage', () => {
    const { world } = setup({ fill: 'sand', t: 180 });
    mat(world, 25, 27, 'grass');
    const targets = [world.spawn('zombie', 25, 30), world.spawn('skeleton', 25, 34), world.spawn('plant', 25, 27)];
    for (const t of targets) box(world, t.x, t.y, 'stone', [[24, t.y]]);
    const shooters = targets.map((t) => {
      const a = world.spawn('arrow', 24, t.y);
      a.dir = Direction.right;
      return a;
    });
    step(world, Action.noop);
    expect(targets[0].health).toBe(3);
    expect(targets[1].health).toBe(1);
    expect(targets[2].health).toBe(0);
    for (const a of shooters) expect(a.removed).toBe(true);
    step(world, Action.noop);
    expect(targets[2].removed).toBe(true);
    // Arrow into arrow: the moving one disappears, the other is unharmed and keeps flying.
    const s = setup({ fill: 'sand' });
    const mover = s.world.spawn('arrow', 26, 26); // created first: it moves first
    mover.dir = Direction.right;
    const still = s.world.spawn('arrow', 27, 26);
    still.dir = Direction.down;
    step(s.world, Action.noop);
    expect(still.removed).toBe(false);
    expect([still.x, still.y]).toEqual([27, 27]);
    expect(mover.removed).toBe(true);
  });
});

describe('§10.2 cows and the update radius', () => {
  it('#79 objects at Manhattan distance ≥ 18 from the player do not move (arrows hang)', () => {
    const { world } = setup({ fill: 'sand', t: 180 });
    const cow = world.spawn('cow', 32 - 18, 32);
    const zombie = world.spawn('zombie', 32 + 10, 32 + 8);
    const skeleton = world.spawn('skeleton', 32, 32 - 20);
    const arrow = world.spawn('arrow', 32 + 9, 32 - 9);
    arrow.dir = Direction.up;
    const near = world.spawn('cow', 32 - 17, 32);
    let nearMoved = false;
    for (let i = 0; i < 50; i++) {
      step(world, Action.noop);
      if (near.x !== 15 || near.y !== 32) nearMoved = true;
    }
    expect([cow.x, cow.y]).toEqual([14, 32]);
    expect([zombie.x, zombie.y]).toEqual([42, 40]);
    expect([skeleton.x, skeleton.y]).toEqual([32, 12]);
    expect([arrow.x, arrow.y, arrow.removed]).toEqual([41, 23, false]);
    expect(nearMoved).toBe(true);
  });

  it('#80 a cow moves in at most 50 % of its updates (statistical), one tile, in a uniform direction', () => {
    const { world, p } = setup({ fill: 'grass', seed: 3 });
    const cow = world.spawn('cow', 28, 28);
    const counts = [0, 0, 0, 0];
    let moved = 0;
    const n = 4000;
    trials(
      world,
      n,
      () => {
        world.moveEntity(cow, 28, 28);
        feed(p);
      },
      () => {
        if (cow.x !== 28 || cow.y !== 28) {
          moved++;
          expect(Math.abs(cow.x - 28) + Math.abs(cow.y - 28)).toBe(1);
          counts[cow.x === 27 ? 0 : cow.x === 29 ? 1 : cow.y === 27 ? 2 : 3]++;
        }
      },
    );
    expect(moved / n).toBeLessThanOrEqual(0.54);
    expect(moved / n).toBeGreaterThan(0.46);
    for (const c of counts) expect(Math.abs(c / moved - 0.25)).toBeLessThan(0.05);
  });

  it('#80 cows move only onto grass, sand or path', () => {
    const { world } = setup({ fill: 'sand' });
    const blocked = world.spawn('cow', 25, 25);
    mat(world, 24, 25, 'water');
    mat(world, 26, 25, 'lava');
    mat(world, 25, 24, 'tree');
    mat(world, 25, 26, 'table');
    const free = world.spawn('cow', 40, 40);
    mat(world, 39, 40, 'grass');
    mat(world, 41, 40, 'path');
    mat(world, 40, 39, 'sand');
    mat(world, 40, 41, 'stone');
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) {
      world.t = 0;
      world.moveEntity(free, 40, 40);
      step(world, Action.noop);
      expect([blocked.x, blocked.y]).toEqual([25, 25]);
      expect([40 * 64 + 41]).not.toContain(free.x * 64 + free.y);
      seen.add(world.getMaterial(free.x, free.y));
    }
    expect(seen).toEqual(new Set([Material.grass, Material.path, Material.sand]));
  });

  it('§10.2 cows never attack', () => {
    const { world, p } = setup({ fill: 'sand' });
    world.spawn('cow', 31, 32);
    world.spawn('cow', 33, 32);
    steps(world, Action.noop, 30);
    expect(p.inventory[Item.health]).toBe(9);
  });

  it('§7.2.4 objects update in creation order', () => {
    for (const firstLeft of [true, false]) {
      const { world } = setup({ fill: 'sand' });
      // Two arrows aimed at the same tile (26, 26): the first created moves in, the second then
      // finds an object there and disappears.
      const make = (x: number, dir: number) => {
        const a = world.spawn('arrow', x, 26);
        a.dir = dir;
        return a;
      };
      const [first, second] = firstLeft
        ? [make(25, Direction.right), make(27, Direction.left)]
        : [make(27, Direction.left), make(25, Direction.right)];
      step(world, Action.noop);
      expect(first.removed).toBe(false);
      expect([first.x, first.y]).toEqual([26, 26]);
      expect(second.removed).toBe(true);
    }
  });

  it('§7.2.4 a creature created between ticks updates in the next step', () => {
    const { world } = setup({ fill: 'sand' });
    const cow = world.spawn('cow', 25, 25);
    let moved = false;
    for (let i = 0; i < 20 && !moved; i++) {
      world.t = 0;
      step(world, Action.noop);
      moved = cow.x !== 25 || cow.y !== 25;
    }
    expect(moved).toBe(true);
  });
});
