/**
 * Survive: drink, eat, sleep and shelter. `Needs` is the survival reflex that interrupts any task
 * (thirst, hunger, fatigue and low health with hysteresis; the night in a shelter; top-ups on the
 * way; the daylight nap for `wake_up`). `Survival` runs `sleep` and `survive` tasks, rests a
 * worker that has nothing to do, and finds shelters: an existing pocket with no line of fire, a
 * two-tile pocket dug into rock, or — on open ground — walls placed with stones.
 */
import {
  Achievement,
  Action,
  ARROW_FREE,
  CREATURE_WALKABLE,
  Item,
  Material,
  ObjectKind,
  type Player,
  type World,
} from '@aikon/engine';
import { placeRule } from '../techtree.ts';
import type { Fight } from './fight.ts';
import type { Gather } from './gather.ts';
import { approach, DX, DY, inside, N, type Navigator, OPPOSITE } from './navigate.ts';
import { type Skill, type SkillTick, scripted } from './skill.ts';
import type { WorkerState } from './worker.ts';

const M = Material;
const STONE_TARGETS = new Uint8Array(16);
for (const m of placeRule('stone')!.targets) STONE_TARGETS[M[m]] = 1;

export class Survival {
  /** `sleep` and `survive` tasks. */
  readonly task: Skill = scripted('survive', (tick) => this.runTask(tick));
  /** Nothing else to do: at night, rest in a shelter; otherwise wait. */
  readonly rest: Skill = scripted('rest', ({ world, p }) => {
    this.s.activity = 'idle';
    return this.idle(world, p);
  });

  private shelterRetry = 0;
  private readonly encSeen = new Int32Array(N * N);
  private readonly encQueue = new Int32Array(64);
  private encGen = 0;
  private wallFrom = new Int32Array(0);
  private wallAction = new Int8Array(0);

  constructor(
    private readonly s: WorkerState,
    private readonly nav: Navigator,
  ) {}

  private runTask({ world, p, task }: SkillTick): number | null {
    const s = this.s;
    const inv = p.inventory;
    const full = s.tuning.vitals.full;
    if (task?.kind === 'sleep') {
      s.activity = 'sleeping';
      if (inv[Item.energy] < full) {
        const a = this.shelter(p);
        if (a !== null) return a;
        if (world.daylight > s.tuning.daylight.sleepTaskInOpen) return Action.sleep;
      }
      return this.idle(world, p);
    }
    if (task?.kind === 'survive') {
      // Stay walled in; the reflexes leave the shelter only to drink and eat.
      s.activity = 'surviving';
      if (this.enclosed(p.x, p.y, -1)) return inv[Item.energy] < full ? Action.sleep : Action.noop;
      const a = this.shelter(p, s.tuning.shelter.surviveReach);
      return a ?? Action.noop;
    }
    return null;
  }

  /** Nothing to do: at night, rest in a shelter; otherwise wait. */
  idle(world: World, p: Player): number {
    const s = this.s;
    if (world.daylight < s.tuning.daylight.restInShelter && p.inventory[Item.energy] < s.tuning.vitals.full) {
      const a = this.shelter(p, s.tuning.shelter.restReach);
      if (a !== null) return a;
    }
    return Action.noop;
  }

  /**
   * Whether creatures cannot reach a tile next to (x, y): the creature-walkable region
   * around it (with `extraBlocked` counted as sealed) is tiny (no spawn is possible within
   * 6 tiles of the player, §12) and holds no zombie or skeleton.
   */
  enclosed(x: number, y: number, extraBlocked: number): boolean {
    const senses = this.s.senses;
    const mat = senses.mat;
    const seen = this.encSeen;
    const gen = ++this.encGen;
    const queue = this.encQueue;
    let qn = 0;
    seen[x * N + y] = gen;
    for (let k = 0; k < 4; k++) {
      const nx = x + DX[k];
      const ny = y + DY[k];
      if (inside(nx, ny)) queue[qn++] = nx * N + ny;
    }
    let count = 0;
    while (qn > 0) {
      const i = queue[--qn];
      if (i === extraBlocked || seen[i] === gen || seen[i] === -gen) continue;
      const m = mat[i];
      if (m === 0) return false;
      if (CREATURE_WALKABLE[m] !== 1) {
        seen[i] = -gen; // visited, not part of the region
        continue;
      }
      seen[i] = gen; // in the region
      const o = senses.objectAt((i / N) | 0, i % N);
      if (o && (o.kind === ObjectKind.zombie || o.kind === ObjectKind.skeleton)) return false;
      if (++count > 3) return false;
      const ix = (i / N) | 0;
      const iy = i % N;
      for (let k = 0; k < 4; k++) {
        const nx = ix + DX[k];
        const ny = iy + DY[k];
        if (inside(nx, ny) && qn < queue.length) queue[qn++] = nx * N + ny;
      }
    }
    // Arrows fly along rows and columns over water and lava too (§10.5): no skeleton may
    // get a straight shot at the sleeper from outside the pocket.
    for (let k = 0; k < 4; k++) {
      // A skeleton shoots from within 5 tiles (§10.4), one more for its step; unseen tiles count as safe.
      for (let st = 1; st <= 6; st++) {
        const nx = x + DX[k] * st;
        const ny = y + DY[k] * st;
        if (!inside(nx, ny)) break;
        const i = nx * N + ny;
        if (i === extraBlocked) break;
        const m = mat[i];
        if (m === 0) break;
        if (ARROW_FREE[m] !== 1) break;
        if (CREATURE_WALKABLE[m] === 1 && seen[i] !== gen) return false;
      }
    }
    return true;
  }

  /** Walks to (or builds) a sealed pocket and sleeps there; null if none is within reach. */
  shelter(p: Player, maxCost = this.s.tuning.shelter.reach): number | null {
    const s = this.s;
    const nav = this.nav;
    if (this.enclosed(p.x, p.y, -1)) return Action.sleep;
    if (s.t < this.shelterRetry) return null;
    const stone = p.inventory[Item.stone];
    const res = nav.search(
      p,
      (x, y, f) => {
        const tx = x + DX[f];
        const ty = y + DY[f];
        const t = inside(tx, ty) ? tx * N + ty : -1;
        if (t >= 0 && stone > 0 && STONE_TARGETS[s.senses.mat[t]] === 1 && nav.freeTarget(t)) {
          // Cheap test first: a pocket has at most two open sides besides the one to seal.
          let open = 0;
          for (let k = 0; k < 4; k++) {
            const nx = x + DX[k];
            const ny = y + DY[k];
            if (inside(nx, ny) && nx * N + ny !== t && CREATURE_WALKABLE[s.senses.mat[nx * N + ny]] === 1) open++;
          }
          return open <= 2 && this.enclosed(x, y, t);
        }
        return false;
      },
      maxCost,
      undefined,
      'shelter',
    );
    if (res.found && res.steps === 0) return Action.place_stone;
    // A long walk to a shelter through the dark costs more than walling one in right here.
    if (res.found && res.cost > s.tuning.shelter.walkInstead) {
      const plan = this.planWalls(p);
      if (plan && plan.length > 0 && plan.length < res.cost) {
        s.activity = 'building a shelter';
        nav.dropRoute();
        s.script = plan.slice(1);
        return plan[0];
      }
    }
    if (res.found) return res.action;
    if (p.inventory[Item.wood_pickaxe] > 0) {
      // Dig a two-tile pocket into solid rock and seal the entrance behind us.
      const mat = s.senses.mat;
      const solid = (x: number, y: number): boolean => {
        if (!inside(x, y)) return true;
        const m = mat[x * N + y];
        return m !== 0 && ARROW_FREE[m] !== 1;
      };
      const dig = nav.search(
        p,
        (x, y, f) => {
          const ax = x + DX[f];
          const ay = y + DY[f];
          const bx = ax + DX[f];
          const by = ay + DY[f];
          if (!inside(ax, ay) || !inside(bx, by)) return false;
          if (mat[ax * N + ay] !== M.stone || mat[bx * N + by] !== M.stone) return false;
          if (nav.blocked[x * N + y] !== 0) return false;
          const s1 = f < 2 ? 2 : 0;
          const s2 = f < 2 ? 3 : 1;
          return (
            solid(ax + DX[s1], ay + DY[s1]) &&
            solid(ax + DX[s2], ay + DY[s2]) &&
            solid(bx + DX[s1], by + DY[s1]) &&
            solid(bx + DX[s2], by + DY[s2]) &&
            solid(bx + DX[f], by + DY[f])
          );
        },
        maxCost,
        undefined,
        'dig-shelter',
      );
      if (dig.found) {
        if (dig.steps === 0) {
          const f = p.facing;
          s.script = [
            Action.move_left + f,
            Action.do,
            Action.move_left + f,
            Action.move_left + OPPOSITE[f],
            Action.place_stone,
            Action.sleep,
          ];
          return Action.do;
        }
        return dig.action;
      }
    }
    // Open ground: wall in a two-tile pocket with stones from the inventory.
    const plan = this.planWalls(p);
    if (plan && plan.length > 0) {
      s.activity = 'building a shelter';
      s.script = plan.slice(1);
      return plan[0];
    }
    this.shelterRetry = s.t + s.tuning.shelter.retryAfter;
    return null;
  }

  /**
   * Plans, by breadth-first search over (tile, facing, walls placed) in a 9×9 window, the
   * shortest action sequence that seals a two-tile pocket {P, P + d} around the worker's tile P
   * with stones: a worker can only face a free tile by stepping toward it, so some walls must
   * be set from outside the pocket and the last one from inside. Tiles already solid need no
   * stone. Returns the actions (ending inside the pocket), or null if none fits the stones held.
   */
  planWalls(p: Player): number[] | null {
    const nav = this.nav;
    const stones = p.inventory[Item.stone];
    if (stones === 0) return null;
    const R = 4;
    const W = 2 * R + 1;
    const mat = this.s.senses.mat;
    let best: number[] | null = null;
    for (let d = 0; d < 4; d++) {
      const px = p.x;
      const py = p.y;
      const qx = px + DX[d];
      const qy = py + DY[d];
      if (!nav.walkable(qx, qy)) continue;
      const ring: number[] = [];
      for (const [cx, cy] of [
        [px, py],
        [qx, qy],
      ]) {
        for (let k = 0; k < 4; k++) {
          const nx = cx + DX[k];
          const ny = cy + DY[k];
          if ((nx === px && ny === py) || (nx === qx && ny === qy)) continue;
          ring.push(nx * N + ny);
        }
      }
      let mask = 0;
      let need = 0;
      let possible = true;
      ring.forEach((t, i) => {
        const tx = (t / N) | 0;
        const ty = t % N;
        if (!inside(tx, ty)) {
          mask |= 1 << i;
          return;
        }
        const m = mat[t];
        if (m !== 0 && ARROW_FREE[m] !== 1)
          mask |= 1 << i; // solid already
        else if (STONE_TARGETS[m] === 1 && nav.freeTarget(t)) need++;
        else possible = false; // unknown, or a creature standing there
      });
      if (!possible || need > stones) continue;
      const full = (1 << ring.length) - 1;
      // BFS over local states: index = ((cell * 4 + facing) << 6) | walls.
      const cells = W * W;
      const size = cells * 4 * 64;
      if (this.wallFrom.length !== size) {
        this.wallFrom = new Int32Array(size);
        this.wallAction = new Int8Array(size);
      }
      const from = this.wallFrom;
      const via = this.wallAction;
      from.fill(-2);
      // Per cell and direction: 0 blocked (a move turns), 1 walkable, 2 lava or off-window walkable (never).
      const moveKind = new Uint8Array(cells * 4);
      const ringAt = new Int8Array(cells * 4).fill(-1);
      for (let c = 0; c < cells; c++) {
        const x = px - R + ((c / W) | 0);
        const y = py - R + (c % W);
        for (let k = 0; k < 4; k++) {
          const nx = x + DX[k];
          const ny = y + DY[k];
          const t = nx * N + ny;
          ringAt[c * 4 + k] = inside(nx, ny) ? ring.indexOf(t) : -1;
          if (inside(nx, ny) && mat[t] === M.lava) moveKind[c * 4 + k] = 2;
          else if (nav.walkable(nx, ny)) moveKind[c * 4 + k] = Math.abs(nx - px) <= R && Math.abs(ny - py) <= R ? 1 : 2;
        }
      }
      const cellOf = (x: number, y: number): number => (x - px + R) * W + (y - py + R);
      const cellP = cellOf(px, py);
      const cellQ = cellOf(qx, qy);
      const start = ((cellP * 4 + p.facing) << 6) | mask;
      from[start] = -1;
      let frontier = [start];
      let goal = -1;
      const STEP = [-W, W, -1, 1];
      for (let depth = 0; depth < 40 && goal < 0 && frontier.length > 0; depth++) {
        const next: number[] = [];
        for (let j = 0; j < frontier.length && goal < 0; j++) {
          const s0 = frontier[j];
          const m0 = s0 & 63;
          const f0 = (s0 >> 6) & 3;
          const c0 = s0 >> 8;
          for (let k = 0; k < 5; k++) {
            let s1: number;
            let action: number;
            if (k < 4) {
              const kind = moveKind[c0 * 4 + k];
              const ri = ringAt[c0 * 4 + k];
              const walled = ri >= 0 && (m0 & (1 << ri)) !== 0;
              if (kind === 2 && !walled) continue;
              if (kind === 1 && !walled) s1 = (((c0 + STEP[k]) * 4 + k) << 6) | m0;
              else if (k !== f0) s1 = ((c0 * 4 + k) << 6) | m0;
              else continue;
              action = Action.move_left + k;
            } else {
              const ri = ringAt[c0 * 4 + f0];
              if (ri < 0 || (m0 & (1 << ri)) !== 0) continue;
              s1 = s0 | (1 << ri);
              action = Action.place_stone;
            }
            if (from[s1] !== -2) continue;
            from[s1] = s0;
            via[s1] = action;
            const c1 = s1 >> 8;
            if ((s1 & 63) === full && (c1 === cellP || c1 === cellQ)) {
              goal = s1;
              break;
            }
            next.push(s1);
          }
        }
        frontier = next;
      }
      if (goal < 0) continue;
      const actions: number[] = [];
      for (let s1 = goal; s1 !== start; s1 = from[s1]) actions.push(via[s1]);
      actions.reverse();
      if (!best || actions.length < best.length) best = actions;
    }
    return best;
  }
}

/**
 * The survival reflex: needs with hysteresis (drink, food, sleep, heal), the night in a shelter,
 * top-ups on the way and the daylight nap. It interrupts any task; a queued plan runs first.
 */
export class Needs implements Skill {
  readonly name = 'needs';
  readonly brain = 'scripted';

  constructor(
    private readonly s: WorkerState,
    private readonly nav: Navigator,
    private readonly survival: Survival,
    private readonly gather: Gather,
    private readonly fight: Fight,
  ) {}

  act({ world, p }: SkillTick): number | null {
    const s = this.s;
    const { vitals, daylight, opportunities: top, nap } = s.tuning;
    const inv = p.inventory;
    const health = inv[Item.health];
    const food = inv[Item.food];
    const drink = inv[Item.drink];
    const energy = inv[Item.energy];
    let nearestZombie = Infinity;
    for (const o of s.senses.objects) {
      if (o.kind === ObjectKind.zombie)
        nearestZombie = Math.min(nearestZombie, Math.abs(o.x - p.x) + Math.abs(o.y - p.y));
    }

    // Needs, with hysteresis.
    if (s.need === 'drink' && drink >= vitals.drink.stop) s.need = null;
    if (s.need === 'food' && food >= vitals.food.stop) s.need = null;
    if (s.need === 'sleep' && energy >= vitals.energy.stop) s.need = null;
    if (s.need === 'heal' && (health >= vitals.health.stop || drink <= vitals.floor || food <= vitals.floor))
      s.need = null;
    if (health <= vitals.health.start && drink > vitals.floor && food > vitals.floor) s.need = 'heal';
    const night = world.daylight < daylight.night;
    if (
      energy <= vitals.critical ||
      (s.need !== 'drink' &&
        s.need !== 'food' &&
        (energy <= vitals.energy.start || (night && energy <= vitals.energy.nightStart)))
    )
      s.need = s.need ?? 'sleep';
    if (drink <= vitals.drink.start && (s.need !== 'food' || food > drink)) s.need = 'drink';
    if (food <= vitals.food.start && (s.need !== 'drink' || drink > food)) s.need = 'food';
    if (energy <= vitals.critical && drink > vitals.critical && food > vitals.critical) s.need = 'sleep';

    if (s.need === 'drink') {
      s.activity = 'drinking';
      const a = this.gather.collectMaterial(p, M.water, Action.do);
      if (a !== null) return a;
      const e = this.nav.explore(p, (m) => m === M.water || m === M.sand);
      if (e !== null) return e;
      s.need = null;
    } else if (s.need === 'food') {
      s.activity = 'eating';
      const a = this.gather.eat(p, true);
      if (a !== null) return a;
      const e = this.nav.explore(p, (m) => m === M.grass);
      if (e !== null) return e;
      s.need = null;
    } else if (s.need === 'heal') {
      // Rest walled in until health is back (sleeping heals twice as fast, §8.10).
      s.activity = 'healing';
      if (this.survival.enclosed(p.x, p.y, -1)) return energy < vitals.full ? Action.sleep : Action.noop;
      const a = this.survival.shelter(p, s.tuning.shelter.healReach);
      if (a !== null) return a;
    } else if (s.need === 'sleep') {
      s.activity = 'sheltering';
      const a = this.survival.shelter(p);
      if (a !== null) return a;
      if (world.daylight > daylight.sleepInOpen || energy <= vitals.critical) return Action.sleep;
    }

    // Night: zombies spawn on grass in the dark (§12). Stay in a shelter, or find one when threatened.
    if (night && drink > vitals.floor && food > vitals.floor) {
      if (this.survival.enclosed(p.x, p.y, -1)) {
        s.activity = 'waiting for daylight';
        return energy < vitals.full ? Action.sleep : Action.noop;
      }
      if (
        s.nightPolicy === 'hide' ||
        nearestZombie <= s.tuning.threats.nightZombie ||
        health <= s.tuning.threats.nightHealth
      ) {
        const a = this.survival.shelter(p);
        if (a !== null) {
          s.activity = 'sheltering for the night';
          return a;
        }
      }
    }

    // Opportunities.
    const fx = p.x + DX[p.facing];
    const fy = p.y + DY[p.facing];
    if (s.senses.material(fx, fy) === M.water && drink <= top.drinkFaced && !s.senses.objectAt(fx, fy))
      return Action.do;
    const faced = s.senses.objectAt(fx, fy);
    if (faced && faced.kind === ObjectKind.cow && food <= top.eatFaced) return Action.do;
    // Top up while food and water are close, rather than hunting for them in a hurry later.
    if (food <= top.eatNear && !night) {
      const res = this.nav.seekFacing(
        p,
        (t) => {
          const o = s.senses.objectAt((t / N) | 0, t % N);
          return o !== null && o.kind === ObjectKind.cow;
        },
        top.reach,
      );
      if (res.found) {
        s.activity = 'eating on the way';
        return approach(res, Action.do);
      }
    }
    if (drink <= top.drinkNear) {
      const a = this.gather.collectMaterial(p, M.water, Action.do, top.reach);
      if (a !== null) {
        s.activity = 'drinking on the way';
        return a;
      }
    }
    if (
      p.achievements[Achievement.wake_up] === 0 &&
      energy < vitals.full &&
      world.daylight > daylight.nap &&
      nearestZombie > nap.zombieDistance &&
      health >= nap.health
    ) {
      // Crafter's cheapest achievement: a short nap in daylight (about a dozen steps), right
      // here unless a skeleton has a shot at us.
      if (!this.fight.skeletonInLine(p, nap.skeletonRange)) {
        s.activity = 'napping';
        return Action.sleep;
      }
    }
    return null;
  }
}
