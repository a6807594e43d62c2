import { describe, expect, it } from 'vitest';
import { Achievement, INITIAL_INVENTORY, ObjectKind, type Player, World } from '../src/index.ts';
import { Action, box, Direction, Item, Material, manhattan, mat, sumAchievements } from './helpers.ts';

/** A blank world with players at the given tiles (slots 0, 1, …). */
function lobby(
  tiles: [number, number][],
  options: { fill?: 'grass' | 'sand'; t?: number; mode?: 'episode' | 'persistent'; seed?: number } = {},
) {
  const world = World.blank({ seed: options.seed ?? 1, fill: options.fill ?? 'sand', mode: options.mode });
  if (options.t !== undefined) world.t = options.t;
  const players: Player[] = tiles.map(([x, y], slot) => {
    const p = world.addPlayer({ slot });
    world.moveEntity(p, x, y);
    return p;
  });
  return { world, players };
}

function joint(...actions: number[]): Map<number, number> {
  return new Map(actions.map((a, slot) => [slot, a]));
}

describe('§18 multiplayer', () => {
  it('update order: living players in ascending slot order, whatever the join order', () => {
    const world = World.blank({ seed: 1, fill: 'sand' });
    const b = world.addPlayer({ slot: 1 });
    const a = world.addPlayer({ slot: 0 });
    expect(world.players.map((p) => p.slot)).toEqual([0, 1]);
    world.moveEntity(b, 30, 32);
    world.moveEntity(a, 32, 32);
    // Both step into (31, 32): slot 0 moves first and wins; slot 1 is blocked but turns.
    world.step(
      new Map([
        [1, Action.move_right],
        [0, Action.move_left],
      ]),
    );
    expect([a.x, a.y]).toEqual([31, 32]);
    expect([b.x, b.y, b.facing]).toEqual([30, 32, Direction.right]);
    // Array form is indexed by slot.
    world.moveEntity(a, 32, 32);
    world.step([Action.move_left, Action.move_right]);
    expect([a.x, b.x]).toEqual([31, 30]);
  });

  it('players update before every other object', () => {
    // An arrow created before the players joined still moves after them: a player stepping
    // into the arrow's next tile is hit by it in the same step.
    const world = World.blank({ seed: 1, fill: 'sand' });
    const arrow = world.spawn('arrow', 30, 30);
    arrow.dir = Direction.right;
    const p = world.addPlayer();
    world.moveEntity(p, 31, 31);
    world.step([Action.move_up]);
    expect([p.x, p.y]).toEqual([31, 30]);
    expect(p.inventory[Item.health]).toBe(7);
    expect(arrow.removed).toBe(true);
  });

  it('players block each other; do on another player does nothing', () => {
    const {
      world,
      players: [a, b],
    } = lobby([
      [32, 32],
      [31, 32],
    ]);
    a.inventory[Item.iron_sword] = 1;
    world.step(joint(Action.move_left, Action.noop));
    expect([a.x, a.y, a.facing]).toEqual([32, 32, Direction.left]);
    world.step(joint(Action.do, Action.noop));
    expect(b.inventory[Item.health]).toBe(9);
    expect(sumAchievements(a)).toBe(0);
  });

  it('zombies target the nearest living player (ties → lowest slot); the hit uses that player', () => {
    // Zombie boxed between two players at equal distance: slot 0 is hit.
    const tie = lobby(
      [
        [31, 32],
        [33, 32],
      ],
      { t: 180 },
    );
    tie.world.spawn('zombie', 32, 32);
    box(tie.world, 32, 32, 'stone');
    tie.world.step(joint(Action.noop, Action.noop));
    expect(tie.players.map((p) => p.inventory[Item.health])).toEqual([7, 9]);
    // Slot 1 nearer: slot 1 is hit even though slot 0 sleeps (7 would be dealt to a sleeper).
    const near = lobby(
      [
        [30, 32],
        [33, 32],
      ],
      { t: 180 },
    );
    near.world.spawn('zombie', 32, 32);
    box(near.world, 32, 32, 'stone', [[31, 32]]);
    mat(near.world, 31, 32, 'water');
    near.players[0].inventory[Item.energy] = 3;
    near.world.step(joint(Action.sleep, Action.noop));
    expect(near.players[0].sleeping).toBe(true);
    expect(near.players.map((p) => p.inventory[Item.health])).toEqual([9, 7]);
    // The sleeping player is the nearest: 7 damage to it.
    const sleeper = lobby(
      [
        [31, 32],
        [34, 32],
      ],
      { t: 180 },
    );
    sleeper.world.spawn('zombie', 32, 32);
    box(sleeper.world, 32, 32, 'stone');
    sleeper.players[0].inventory[Item.energy] = 3;
    sleeper.world.step(joint(Action.sleep, Action.noop));
    expect(sleeper.players.map((p) => p.inventory[Item.health])).toEqual([2, 9]);
  });

  it('zombies move toward the nearest player', () => {
    let towardNear = 0;
    let towardFar = 0;
    for (let seed = 1; seed <= 300; seed++) {
      // Zombie at (32, 32); slot 0 five tiles up, slot 1 three tiles down.
      const { world } = lobby(
        [
          [32, 27],
          [32, 35],
        ],
        { t: 181, seed },
      );
      const z = world.spawn('zombie', 32, 32);
      world.step(joint(Action.noop, Action.noop));
      if (z.y === 33) towardNear++;
      if (z.y === 31) towardFar++;
    }
    // 0.9 · (0.8 + 0.2 · 0) … long and short rule both go down (dx = 0 ⇒ short gives (0, 0) → fails).
    expect(towardNear / 300).toBeGreaterThan(0.6);
    expect(towardFar / 300).toBeLessThan(0.08);
  });

  it('skeletons shoot toward the nearest player', () => {
    let shots = 0;
    for (let seed = 1; seed <= 60; seed++) {
      // Skeleton boxed by water; slot 0 four tiles right, slot 1 five tiles up.
      const { world } = lobby(
        [
          [24, 20],
          [20, 15],
        ],
        { seed },
      );
      world.spawn('skeleton', 20, 20);
      box(world, 20, 20, 'water');
      world.step(joint(Action.noop, Action.noop));
      const arrows = world.objects.filter((o) => o.kind === ObjectKind.arrow);
      for (const a of arrows) {
        shots++;
        expect([a.x, a.y, a.dir]).toEqual([21, 20, Direction.right]);
      }
    }
    expect(shots).toBeGreaterThan(10);
  });

  it('update radius: an object updates if the nearest living player is closer than 18', () => {
    const { world, players } = lobby([
      [32, 32],
      [5, 5],
    ]);
    const cow = world.spawn('cow', 5, 12); // 7 from slot 1, 47 from slot 0
    const frozen = world.spawn('cow', 5, 40); // far from both
    let moved = false;
    for (let i = 0; i < 30; i++) {
      world.t = 0;
      world.step(joint(Action.noop, Action.noop));
      if (cow.x !== 5 || cow.y !== 12) moved = true;
    }
    expect(moved).toBe(true);
    expect([frozen.x, frozen.y]).toEqual([5, 40]);
    // Once slot 1 leaves, the cow near it freezes.
    world.removePlayer(1);
    const [x, y] = [cow.x, cow.y];
    for (let i = 0; i < 30; i++) {
      world.t = 0;
      world.step(joint(Action.noop));
    }
    expect([cow.x, cow.y]).toEqual([x, y]);
    expect(players[0].removed).toBe(false);
  });

  it('rewards, achievements and counters are per player', () => {
    const {
      world,
      players: [a, b],
    } = lobby([
      [32, 32],
      [20, 20],
    ]);
    a.facing = Direction.left;
    mat(world, 31, 32, 'tree');
    b.inventory[Item.health] = 5;
    b.prevHealth = b.lastHealth = 5;
    b.recover = 25;
    b.inventory[Item.energy] = 5;
    world.step(joint(Action.do, Action.sleep));
    expect(a.reward).toBe(1);
    expect(b.reward).toBeCloseTo(0.1, 12);
    expect(a.achievements[Achievement.collect_wood]).toBe(1);
    expect(b.achievements[Achievement.collect_wood]).toBe(0);
    expect([a.sleeping, b.sleeping]).toEqual([false, true]);
    expect([a.hunger, b.hunger]).toEqual([1, 0.5]);
    expect(a.newAchievements).toEqual([Achievement.collect_wood]);
    expect(b.newAchievements).toEqual([]);
  });

  it('kills and food go to the player whose hit brings the creature to 0', () => {
    const {
      world,
      players: [a, b],
    } = lobby([
      [31, 32],
      [33, 32],
    ]);
    a.facing = Direction.right;
    b.facing = Direction.left;
    const cow = world.spawn('cow', 32, 32);
    box(world, 32, 32, 'stone');
    cow.health = 2;
    a.inventory[Item.food] = 1;
    b.inventory[Item.food] = 1;
    world.step(joint(Action.do, Action.do)); // slot 0: 2 → 1; slot 1: 1 → 0
    expect(cow.removed).toBe(true);
    expect(a.achievements[Achievement.eat_cow]).toBe(0);
    expect(b.achievements[Achievement.eat_cow]).toBe(1);
    expect([a.inventory[Item.food], b.inventory[Item.food]]).toEqual([1, 7]);
    expect([a.reward, b.reward]).toEqual([0, 1]);
  });

  it('crafting uses the crafting player’s own 3×3 neighbourhood; stations are shared', () => {
    const {
      world,
      players: [a, b],
    } = lobby([
      [32, 32],
      [36, 32],
    ]);
    mat(world, 33, 32, 'table');
    a.inventory[Item.wood] = 1;
    b.inventory[Item.wood] = 1;
    world.step(joint(Action.make_wood_pickaxe, Action.make_wood_pickaxe));
    expect([a.inventory[Item.wood_pickaxe], b.inventory[Item.wood_pickaxe]]).toEqual([1, 0]);
    world.moveEntity(b, 34, 32);
    world.step(joint(Action.noop, Action.make_wood_pickaxe));
    expect(b.inventory[Item.wood_pickaxe]).toBe(1);
  });

  it('plants may be placed and eaten by anyone', () => {
    const {
      world,
      players: [a, b],
    } = lobby([
      [31, 32],
      [33, 32],
    ]);
    mat(world, 32, 32, 'grass');
    a.facing = Direction.right;
    b.facing = Direction.left;
    a.inventory[Item.sapling] = 1;
    world.step(joint(Action.place_plant, Action.noop));
    const plant = world.objectAt(32, 32)!;
    expect(plant.kind).toBe(ObjectKind.plant);
    plant.grown = 301;
    b.inventory[Item.food] = 2;
    world.step(joint(Action.noop, Action.do));
    expect(b.achievements[Achievement.eat_plant]).toBe(1);
    expect(b.inventory[Item.food]).toBe(6);
    expect(a.achievements[Achievement.place_plant]).toBe(1);
  });

  it('arrows hit players of any slot', () => {
    const {
      world,
      players: [a, b],
    } = lobby([
      [32, 32],
      [26, 20],
    ]);
    const arrow = world.spawn('arrow', 26, 22);
    arrow.dir = Direction.up;
    world.step(joint(Action.noop, Action.noop));
    world.step(joint(Action.noop, Action.noop));
    expect(b.inventory[Item.health]).toBe(7);
    expect(a.inventory[Item.health]).toBe(9);
  });

  it('death: the dead player’s episode ends (done, discount 0), its body leaves the map, the world continues', () => {
    const {
      world,
      players: [a, b],
    } = lobby([
      [32, 32],
      [20, 20],
    ]);
    mat(world, 19, 20, 'lava');
    world.step(joint(Action.noop, Action.move_left));
    expect(b.dead).toBe(true);
    expect(b.done).toBe(true);
    expect(b.reward).toBeCloseTo(-0.9, 12);
    expect(world.over).toBe(false);
    expect(a.dead).toBe(false);
    // §18: removed from the map at the end of the step in which it died.
    expect(world.objectAt(19, 20)).toBeNull();
    expect(world.semanticMap()[19 * 64 + 20]).toBe(Material.lava);
    expect(world.livingPlayers()).toEqual([a]);
    // The next step: its action is ignored, nothing about it changes.
    const before = [...b.inventory];
    world.step(joint(Action.noop, Action.move_right));
    expect([...b.inventory]).toEqual(before);
    expect(world.objectAt(19, 20)).toBeNull();
    expect(b.episodeSteps).toBe(1);
  });

  it('death: a dead player no longer attracts zombies nor keeps objects updating', () => {
    const {
      world,
      players: [a, b],
    } = lobby(
      [
        [10, 10],
        [40, 40],
      ],
      { t: 181 },
    );
    const cow = world.spawn('cow', 42, 42); // near slot 1 only
    mat(world, 39, 40, 'lava');
    world.step(joint(Action.noop, Action.move_left));
    expect(b.dead).toBe(true);
    const [x, y] = [cow.x, cow.y];
    for (let i = 0; i < 20; i++) {
      world.t = 181;
      world.step(joint(Action.noop, Action.noop));
    }
    expect([cow.x, cow.y]).toEqual([x, y]);
    expect(a.dead).toBe(false);
    expect(world.nearestPlayer(41, 41)).toBe(a);
  });

  it('death of a lone player in a persistent world: the body stays until the next step, the world goes on', () => {
    const {
      world,
      players: [a],
    } = lobby([[32, 32]], { mode: 'persistent' });
    mat(world, 31, 32, 'lava');
    world.step(joint(Action.move_left));
    expect(a.dead).toBe(true);
    expect(world.over).toBe(false);
    expect(world.objectAt(31, 32)).toBe(a); // §9: a lone body is not removed in its death step
    world.step(joint(Action.noop));
    expect(world.objectAt(31, 32)).toBeNull();
    expect(a.removed).toBe(true);
    const b = world.respawn(0);
    expect([b.x, b.y]).toEqual([32, 32]);
  });

  it('episode mode: the world ends for everyone when no player is alive', () => {
    const {
      world,
      players: [a, b],
    } = lobby([
      [32, 32],
      [20, 20],
    ]);
    mat(world, 31, 32, 'lava');
    mat(world, 19, 20, 'lava');
    world.step(joint(Action.move_left, Action.noop));
    expect(a.dead).toBe(true);
    expect(world.over).toBe(false);
    world.step(joint(Action.noop, Action.move_left));
    expect(b.dead).toBe(true);
    expect(world.over).toBe(true);
    expect(() => world.step(joint(Action.noop, Action.noop))).toThrow(/over/);
  });

  it('joins and leaves between ticks', () => {
    const world = World.blank({ seed: 3, fill: 'sand' });
    const a = world.addPlayer();
    expect([a.x, a.y]).toEqual([32, 32]);
    world.step([Action.move_left]);
    // A joiner is placed on the nearest free walkable tile to the living players.
    const b = world.addPlayer();
    expect(b.slot).toBe(1);
    expect(manhattan(a.x, a.y, b.x, b.y)).toBe(1);
    expect(world.objectAt(b.x, b.y)).toBe(b);
    expect(world.getMaterial(b.x, b.y)).toBe(Material.sand);
    expect([...b.inventory]).toEqual([...INITIAL_INVENTORY]);
    expect(b.episodeSteps).toBe(0);
    world.step(joint(Action.noop, Action.noop));
    expect(b.episodeSteps).toBe(1);
    expect(a.episodeSteps).toBe(2);
    // Taken slots are refused; a lower free slot is reused.
    expect(() => world.addPlayer({ slot: 1 })).toThrow(/taken/);
    world.removePlayer(0);
    expect(world.objectAt(a.x, a.y)).toBeNull();
    expect(world.players).toEqual([b]);
    expect(() => world.step(new Map([[0, Action.noop]]))).toThrow(/slot/);
    world.step(new Map([[1, Action.noop]]));
    const c = world.addPlayer();
    expect(c.slot).toBe(0);
    expect(world.players.map((p) => p.slot)).toEqual([0, 1]);
    // Joining never lands on a non-walkable tile or on an object.
    mat(world, b.x - 1, b.y, 'water');
    const d = world.addPlayer();
    expect([Material.grass, Material.sand, Material.path]).toContain(world.getMaterial(d.x, d.y));
    const tiles = new Set(world.players.map((p) => p.x * 64 + p.y));
    expect(tiles.size).toBe(world.players.length);
  });

  it('persistent mode: the world never ends; a dead player respawns as a fresh body near the others', () => {
    const {
      world,
      players: [a, b],
    } = lobby(
      [
        [32, 32],
        [20, 20],
      ],
      { mode: 'persistent' },
    );
    mat(world, 19, 20, 'lava');
    b.inventory[Item.wood] = 5;
    b.achievements[Achievement.collect_wood] = 3;
    world.step(joint(Action.noop, Action.move_left));
    expect(b.dead).toBe(true);
    expect(() => world.respawn(0)).toThrow(/alive/);
    const b2 = world.respawn(1);
    expect(b2.slot).toBe(1);
    expect(b2.episode).toBe(2);
    expect([...b2.inventory]).toEqual([...INITIAL_INVENTORY]);
    expect(sumAchievements(b2)).toBe(0);
    expect(b2.dead).toBe(false);
    expect(manhattan(b2.x, b2.y, a.x, a.y)).toBe(1);
    expect(world.objectAt(b2.x, b2.y)).toBe(b2);
    expect(world.player(1)).toBe(b2);
    world.step(joint(Action.noop, Action.noop));
    expect(b2.episodeSteps).toBe(1);
    // Everybody dead: a persistent world keeps stepping.
    mat(world, a.x, a.y - 1, 'lava');
    world.step(joint(Action.move_up, Action.noop));
    mat(world, b2.x, b2.y + 1, 'lava');
    world.moveEntity(b2, b2.x, b2.y);
    const down = world.objectAt(b2.x, b2.y + 1) ? Action.noop : Action.move_down;
    world.step(joint(Action.noop, down));
    expect(world.over).toBe(false);
    world.step(joint(Action.noop, Action.noop));
    expect(world.t).toBe(5);
    // Alone (nobody alive): respawn near the centre.
    const again = world.respawn(0);
    expect(manhattan(again.x, again.y, 32, 32)).toBeLessThanOrEqual(1);
  });

  it('persistent mode: each player’s episode is truncated after 10000 of its own steps', () => {
    const {
      world,
      players: [a, b],
    } = lobby(
      [
        [32, 32],
        [20, 20],
      ],
      { mode: 'persistent' },
    );
    a.episodeSteps = 9998;
    a.achievements[Achievement.collect_wood] = 1;
    world.step(joint(Action.noop, Action.noop));
    expect(a.truncated).toBe(false);
    world.step(joint(Action.noop, Action.noop));
    expect(a.truncated).toBe(true);
    expect(a.done).toBe(true);
    expect(b.truncated).toBe(false);
    expect(world.over).toBe(false);
    // The next step starts a new episode for the same body.
    world.step(joint(Action.noop, Action.noop));
    expect(a.truncated).toBe(false);
    expect(a.episode).toBe(2);
    expect(a.episodeSteps).toBe(1);
    expect(sumAchievements(a)).toBe(0);
  });

  it('episode mode with several players ends at t = 10000 for everyone', () => {
    const { world, players } = lobby([
      [32, 32],
      [20, 20],
    ]);
    world.t = 9999;
    world.step(joint(Action.noop, Action.noop));
    for (const p of players) expect([p.truncated, p.dead, p.done]).toEqual([true, false, true]);
    expect(world.over).toBe(true);
  });

  it('balancing: spawns keep the spawn distance to every living player', () => {
    const { world, players } = lobby(
      [
        [28, 28],
        [34, 34],
      ],
      { fill: 'sand' },
    );
    for (let x = 24; x < 36; x++) for (let y = 24; y < 36; y++) mat(world, x, y, 'grass');
    let spawned = 0;
    for (let i = 0; i < 500; i++) {
      for (const p of players) {
        p.inventory[Item.food] = p.inventory[Item.drink] = p.inventory[Item.energy] = p.inventory[Item.health] = 9;
      }
      const before = new Set(world.objects.map((o) => o.id));
      world.t = 199;
      world.step(joint(Action.noop, Action.noop));
      for (const o of world.objects) {
        if (before.has(o.id) || o.removed) continue;
        spawned++;
        const min = o.kind === ObjectKind.zombie ? 6 : o.kind === ObjectKind.cow ? 5 : 7;
        for (const p of players) expect(manhattan(o.x, o.y, p.x, p.y)).toBeGreaterThanOrEqual(min);
        world.removeEntity(o);
      }
    }
    expect(spawned).toBeGreaterThan(20);
  });

  it('balancing: despawns need the despawn distance to every living player', () => {
    // Two cows at night (cap 1) in the far corner chunk, right next to slot 1: never despawned.
    const { world, players } = lobby([
      [32, 32],
      [3, 3],
    ]);
    const cows = [world.spawn('cow', 2, 3), world.spawn('cow', 4, 3)];
    for (const c of cows) box(world, c.x, c.y, 'stone');
    for (let i = 0; i < 300; i++) {
      for (const p of players) p.inventory[Item.food] = p.inventory[Item.drink] = p.inventory[Item.energy] = 9;
      world.t = 199;
      world.step(joint(Action.noop, Action.noop));
    }
    expect(cows.every((c) => !c.removed)).toBe(true);
    // Once slot 1 leaves, the surplus cow goes (p = 0.1 per run).
    world.removePlayer(1);
    for (let i = 0; i < 300 && cows.every((c) => !c.removed); i++) {
      players[0].inventory[Item.food] = players[0].inventory[Item.drink] = players[0].inventory[Item.energy] = 9;
      world.t = 199;
      world.step(joint(Action.noop));
    }
    expect(cows.filter((c) => c.removed)).toHaveLength(1);
  });

  it('semantic map: every player uses id 13', () => {
    const { world, players } = lobby([
      [32, 32],
      [20, 20],
      [5, 60],
    ]);
    const sem = world.semanticMap();
    for (const p of players) expect(sem[p.x * 64 + p.y]).toBe(13);
  });
});
