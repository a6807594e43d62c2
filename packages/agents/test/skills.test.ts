import { describe, expect, it } from 'vitest';
import { Action, Achievement, Item, Material, ObjectKind, type World } from '@aikon/engine';
import { Executor } from '../src/executor.ts';
import { stepsOntoLava } from '../src/skills/navigate.ts';
import type { Skill } from '../src/skills/skill.ts';
import { TUNING } from '../src/tuning.ts';
import { PASS_BLOCKED, PASS_DIG, PASS_WALK, Pathfinder } from '../src/pathfind.ts';
import { blank, give, mat, runTask } from './helpers.ts';

describe('A* over (x, y, facing)', () => {
  const terrain = (dig: boolean) => {
    const m = new Uint8Array(64 * 64).fill(Material.grass);
    for (let y = 0; y < 64; y++) if (y !== 50) m[34 * 64 + y] = Material.stone; // a wall with one gap
    const pass = new Uint8Array(16);
    pass[Material.grass] = PASS_WALK;
    pass[Material.stone] = dig ? PASS_DIG : PASS_BLOCKED;
    return { mat: m, blocked: new Uint8Array(64 * 64), pass };
  };
  const pf = new Pathfinder();

  it('walks around a wall through its gap', () => {
    const res = pf.search(terrain(false), 32, 32, 3, {
      goal: (x, y) => x === 36 && y === 32,
      heuristic: (x, y) => Math.abs(x - 36) + Math.abs(y - 32),
    });
    expect(res.found).toBe(true);
    expect(res.cost).toBe(4 + 2 * 18); // 4 across, 18 down to the gap and 18 back up
    expect(res.action).toBe(Action.move_down);
    expect(res.path[0]).toBe(((32 * 64 + 32) << 2) | 3);
  });

  it('digs through the wall when it may (turn, do, move)', () => {
    const res = pf.search(terrain(true), 32, 32, 3, { goal: (x, y) => x === 36 && y === 32 });
    expect(res.cost).toBe(1 + 2 + 1 + 1); // step right (now facing the wall), do+move into it, two steps
    expect(res.action).toBe(Action.move_right);
    const facing = pf.search(terrain(true), 33, 32, 1, { goal: (x, y) => x === 34 && y === 32 });
    expect(facing.action).toBe(Action.do);
  });

  it('turns in place to face a blocked tile', () => {
    const res = pf.search(terrain(false), 33, 32, 3, { goal: (x, y, f) => x === 33 && y === 32 && f === 1 });
    expect(res).toMatchObject({ found: true, cost: 1, steps: 1, action: Action.move_right });
  });

  it('reports failure within its budget', () => {
    const t = terrain(false);
    const res = pf.search(t, 32, 32, 3, { goal: (x) => x === 40, maxCost: 10 });
    expect(res.found).toBe(false);
  });
});

describe('skills on hand-built worlds', () => {
  it('collects wood from the nearest trees', () => {
    const { world, p, ex } = blank();
    mat(world, 36, 32, 'tree');
    mat(world, 30, 35, 'tree');
    const { status } = runTask(world, ex, { kind: 'collect', material: 'tree', item: 'wood', amount: 2 });
    expect(status).toBe('done');
    expect(p.inventory[Item.wood]).toBe(2);
    expect(world.getMaterial(36, 32)).toBe(Material.grass);
  });

  it('places a table, then makes a wood pickaxe next to it', () => {
    const { world, p, ex } = blank();
    give(p, { wood: 3 });
    expect(runTask(world, ex, { kind: 'place', what: 'table' }).status).toBe('done');
    expect(world.material.includes(Material.table)).toBe(true);
    expect(runTask(world, ex, { kind: 'make', item: 'wood_pickaxe' }).status).toBe('done');
    expect(p.inventory[Item.wood_pickaxe]).toBe(1);
    expect(p.inventory[Item.wood]).toBe(0);
  });

  it('walks back to a table and a furnace to make an iron pickaxe', () => {
    const { world, p, ex } = blank();
    mat(world, 40, 40, 'table');
    mat(world, 41, 41, 'furnace');
    give(p, { wood: 1, coal: 1, iron: 1 });
    const { status, steps } = runTask(world, ex, { kind: 'make', item: 'iron_pickaxe' });
    expect(status).toBe('done');
    expect(steps).toBeLessThan(30);
    expect(p.inventory[Item.iron_pickaxe]).toBe(1);
  });

  it('fails a make task it cannot afford, with a reason', () => {
    const { world, ex } = blank();
    mat(world, 33, 33, 'table');
    expect(runTask(world, ex, { kind: 'make', item: 'stone_pickaxe' }).status).toBe('failed');
    expect(ex.failReason).toMatch(/missing wood/);
  });

  it('mines stone with a pickaxe and drinks from water', () => {
    const { world, p, ex } = blank();
    mat(world, 32, 36, 'stone');
    mat(world, 28, 32, 'water');
    give(p, { wood_pickaxe: 1, drink: 5 });
    expect(runTask(world, ex, { kind: 'collect', material: 'stone', item: 'stone', amount: 1 }).status).toBe('done');
    expect(world.getMaterial(32, 36)).toBe(Material.path);
    expect(runTask(world, ex, { kind: 'collect', material: 'water', item: 'drink', amount: 1 }).status).toBe('done');
    expect(p.achievements[Achievement.collect_drink]).toBeGreaterThan(0);
  });

  it('hunts a cow and eats it', () => {
    const { world, p, ex } = blank();
    world.spawn('cow', 38, 34);
    const { status } = runTask(world, ex, { kind: 'eat', food: 'cow' });
    expect(status).toBe('done');
    expect(p.achievements[Achievement.eat_cow]).toBe(1);
  });

  it('defeats a zombie with a sword', () => {
    const { world, p, ex } = blank({ t: 180 });
    world.spawn('zombie', 36, 32);
    give(p, { stone_sword: 1 });
    const { status } = runTask(world, ex, { kind: 'defeat', creature: 'zombie' });
    expect(status).toBe('done');
    expect(p.achievements[Achievement.defeat_zombie]).toBe(1);
  });

  it('a zombie next to the worker interrupts its task (reflex): it strikes', () => {
    const { world, p, ex } = blank({ t: 180 });
    mat(world, 50, 50, 'tree');
    const z = world.spawn('zombie', 33, 32);
    ex.assign({ id: 1, spec: { kind: 'collect', material: 'tree', item: 'wood', amount: 1 } }, world);
    const first = ex.decide(world);
    expect(first).toBe(Action.move_right); // turn toward it (the move is blocked by the zombie)
    world.step([first]);
    if (!z.removed && Math.abs(z.x - p.x) + Math.abs(z.y - p.y) === 1 && z.x === p.x + 1)
      expect(ex.decide(world)).toBe(Action.do);
    expect(ex.activity).toBe('fighting');
  });

  it('drinks when thirsty before going on with its task', () => {
    const { world, p, ex } = blank();
    mat(world, 30, 32, 'water');
    mat(world, 50, 50, 'tree');
    give(p, { drink: 2 });
    ex.assign({ id: 1, spec: { kind: 'collect', material: 'tree', item: 'wood', amount: 1 } }, world);
    for (let i = 0; i < 20; i++) world.step([ex.decide(world)]);
    expect(p.inventory[Item.drink]).toBeGreaterThanOrEqual(8);
  });

  it('places a sapling and walls it in with stone', () => {
    const { world, p, ex } = blank();
    give(p, { sapling: 1, stone: 4 });
    const { status } = runTask(world, ex, { kind: 'place', what: 'plant' });
    expect(status).toBe('done');
    const plant = world.objects.find((o) => o.kind === ObjectKind.plant)!;
    expect(plant).toBeDefined();
    const sides = [
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
    ].map(([dx, dy]) => world.getMaterial(plant.x + dx, plant.y + dy));
    expect(sides.every((m) => m === Material.stone)).toBe(true);
  });
});

describe('sleeping', () => {
  it('recognises a sealed pocket and a line of fire across water', () => {
    const { world, ex, p } = blank({
      fill: 'stone',
      build: (w) => {
        mat(w, 32, 32, 'path');
        mat(w, 32, 33, 'path');
      },
    });
    ex.decide(world); // refresh the senses
    expect(ex.enclosed(32, 32, -1)).toBe(true);
    mat(world, 33, 32, 'water');
    mat(world, 34, 32, 'water');
    mat(world, 35, 32, 'grass'); // a skeleton could shoot from here over the water
    ex.decide(world);
    expect(ex.enclosed(32, 32, -1)).toBe(false);
    void p;
  });

  it('at night with low energy it walls itself in and sleeps', () => {
    // A corridor of path running down from the player; stone everywhere else.
    const { world, p, ex } = blank({
      fill: 'stone',
      t: 190,
      build: (w) => {
        for (let y = 32; y < 40; y++) mat(w, 32, y, 'path');
      },
    });
    give(p, { energy: 2, stone: 2, wood_pickaxe: 1 });
    for (let i = 0; i < 12 && !p.sleeping; i++) world.step([ex.decide(world)]);
    expect(p.sleeping).toBe(true);
    expect(ex.enclosed(p.x, p.y, -1)).toBe(true);
  });

  it('takes a nap in daylight for wake_up', () => {
    const { world, p, ex } = blank({ t: 40 });
    give(p, { energy: 8 });
    for (let i = 0; i < 40 && p.achievements[Achievement.wake_up] === 0; i++) world.step([ex.decide(world)]);
    expect(p.achievements[Achievement.wake_up]).toBe(1);
  });
});

describe('senses', () => {
  it('a fair worker sees only its 9×7 window and remembers it', () => {
    const { world, p, ex } = blank({ sense: 'fair' });
    mat(world, 36, 32, 'tree'); // inside the window (dx = 4)
    mat(world, 37, 32, 'tree'); // outside (dx = 5)
    ex.decide(world);
    expect(ex.senses.knownTiles).toBe(63);
    expect(ex.senses.material(36, 32)).toBe(Material.tree);
    expect(ex.senses.material(37, 32)).toBe(0);
    world.step([Action.move_right]);
    ex.decide(world);
    expect(ex.senses.material(37, 32)).toBe(Material.tree);
    expect(ex.senses.knownTiles).toBe(70);
    void p;
  });

  it('a privileged worker knows the whole map', () => {
    const { world, ex } = blank();
    mat(world, 1, 1, 'diamond');
    ex.decide(world);
    expect(ex.senses.material(1, 1)).toBe(Material.diamond);
  });

  it('a fair worker explores to find what it has not seen', () => {
    const { world, p, ex } = blank({ sense: 'fair' });
    // Out of sight at the start, whichever way it looks first.
    for (const [x, y] of [
      [38, 32],
      [26, 32],
      [32, 37],
      [32, 27],
    ])
      mat(world, x, y, 'tree');
    const { status } = runTask(world, ex, { kind: 'collect', material: 'tree', item: 'wood', amount: 1 }, 100);
    expect(status).toBe('done');
    expect(p.inventory[Item.wood]).toBe(1);
  });

  it('records outcomes for the planner', () => {
    const { world, ex } = blank();
    mat(world, 34, 32, 'tree');
    runTask(world, ex, { kind: 'collect', material: 'tree', item: 'wood', amount: 1 });
    runTask(world, ex, { kind: 'make', item: 'iron_sword' });
    expect(ex.record('collect')).toMatchObject({ tries: 1, successRate: 1 });
    expect(ex.record('make')).toMatchObject({ tries: 1, successRate: 0 });
    expect(ex.outcomes.map((o) => o.success)).toEqual([true, false]);
  });

  it('two executors do not fight over one tree', () => {
    const { world, p } = blank();
    const q = world.addPlayer();
    mat(world, 40, 32, 'tree');
    mat(world, 40, 20, 'tree');
    const claims = new Map<number, number>();
    const coordination = {
      reserve: (tile: number, slot: number) => {
        if (claims.has(tile) && claims.get(tile) !== slot) return false;
        for (const [t, s] of claims) if (s === slot) claims.delete(t);
        claims.set(tile, slot);
        return true;
      },
      reservedByOther: (tile: number, slot: number) => claims.has(tile) && claims.get(tile) !== slot,
    };
    const a = new Executor(p.slot, { coordination });
    const b = new Executor(q.slot, { coordination });
    a.assign({ id: 1, spec: { kind: 'collect', material: 'tree', item: 'wood', amount: 1 } }, world);
    b.assign({ id: 2, spec: { kind: 'collect', material: 'tree', item: 'wood', amount: 1 } }, world);
    a.decide(world);
    b.decide(world);
    expect(new Set(claims.keys()).size).toBe(2);
    expect(new Set(claims.values())).toEqual(new Set([p.slot, q.slot]));
  });
});

describe('building a shelter on open ground', () => {
  it('plans and builds walls around a two-tile pocket, then sleeps inside', () => {
    const { world, p, ex } = blank({ t: 190 });
    give(p, { stone: 6, energy: 2 });
    ex.observe(world);
    const plan = ex.planWalls(p)!;
    expect(plan).not.toBeNull();
    expect(plan.filter((a) => a === Action.place_stone)).toHaveLength(6);
    for (let i = 0; i < 60 && !p.sleeping; i++) world.step([ex.decide(world)]);
    expect(p.sleeping).toBe(true);
    expect(p.inventory[Item.stone]).toBeLessThanOrEqual(1);
    expect(ex.enclosed(p.x, p.y, -1)).toBe(true);
  });

  it('uses solid tiles already there and needs fewer stones', () => {
    const { world, p, ex } = blank({
      t: 190,
      build: (w) => {
        mat(w, 31, 32, 'tree');
        mat(w, 31, 33, 'tree');
        mat(w, 32, 34, 'stone');
      },
    });
    give(p, { stone: 3 });
    ex.decide(world);
    const plan = ex.planWalls(p)!;
    expect(plan.filter((a) => a === Action.place_stone).length).toBeLessThanOrEqual(3);
  });

  it('never plans a move toward lava', () => {
    const { world, p, ex } = blank({
      t: 190,
      build: (w) => {
        mat(w, 33, 32, 'lava');
        mat(w, 32, 31, 'lava');
      },
    });
    give(p, { stone: 9 });
    ex.decide(world);
    const plan = ex.planWalls(p) ?? [];
    for (const a of plan) world.step([a]);
    expect(p.dead).toBe(false);
  });
});

describe('skills in priority order, one tuning table', () => {
  it('a fallback skill (a learned policy) acts only where no scripted skill applies; it hears of passed ticks', () => {
    const { world, p } = blank({ t: 40 });
    const passed: number[] = [];
    const fallback: Skill = {
      name: 'policy',
      brain: 'learned',
      act: () => Action.move_left,
      passed: (tick) => passed.push(tick.world.t),
    };
    const ex = new Executor(p.slot, { fallback });
    expect(ex.skills.map((s) => s.name)).toEqual([
      'defend',
      'plan',
      'needs',
      'gather',
      'craft',
      'fight',
      'survive',
      'policy',
      'rest',
    ]);
    // Daylight, full vitals, no task: nothing scripted applies.
    expect(ex.decide(world)).toBe(Action.move_left);
    expect(ex.actedBy).toBe(fallback);
    expect(passed).toEqual([]);
    // A task: its skill acts, the policy is told.
    mat(world, 36, 32, 'tree');
    ex.assign({ id: 1, spec: { kind: 'collect', material: 'tree', item: 'wood', amount: 1 } }, world);
    ex.decide(world);
    expect(ex.actedBy?.name).toBe('gather');
    expect(passed).toEqual([world.t]);
    // Thirst interrupts the task (the survival reflex), before the policy too.
    ex.cancel();
    mat(world, 30, 32, 'water');
    give(p, { drink: 2 });
    ex.decide(world);
    expect(ex.actedBy?.name).toBe('needs');
    expect(ex.need).toBe('drink');
  });

  it('the skills read the tuning they are given: a top-up at drink 6 happens with the default table only', () => {
    const surrounded = (w: World): void => {
      for (const [x, y] of [
        [31, 32],
        [33, 32],
        [32, 31],
        [32, 33],
      ])
        mat(w, x, y, 'water');
    };
    const { world, p, ex } = blank({ t: 40, build: surrounded });
    give(p, { drink: 6 });
    expect(ex.decide(world)).toBe(Action.do);
    expect(ex.actedBy?.name).toBe('needs');
    const tuning = { ...TUNING, opportunities: { ...TUNING.opportunities, drinkFaced: 5 } };
    const sober = new Executor(p.slot, { tuning });
    expect(sober.decide(world)).toBe(Action.noop);
    expect(sober.actedBy?.name).toBe('rest');
  });
});

describe('stepsOntoLava (the guard shared by the executor and the relay’s hybrid policy step)', () => {
  it('is true only for the move whose target tile is lava', () => {
    // Lava one tile to the right of (10, 10); grass elsewhere.
    const material = (x: number, y: number) => (x === 11 && y === 10 ? Material.lava : Material.grass);
    expect(stepsOntoLava(material, 10, 10, Action.move_right)).toBe(true);
    for (const a of [Action.move_left, Action.move_up, Action.move_down, Action.noop, Action.do, Action.sleep])
      expect(stepsOntoLava(material, 10, 10, a)).toBe(false);
    expect(stepsOntoLava(material, 12, 10, Action.move_left)).toBe(true);
  });
});
