/**
 * One executor per AI worker: turns the task the commander gave it into one action per tick,
 * through skills built on A* (navigate, collect, place, make, fight, flee, eat, drink, sleep),
 * with survival reflexes that interrupt the task (thirst, hunger, fatigue, zombies, arrows,
 * low health). It acts only by returning an action index for its player slot.
 */
import {
  Achievement,
  Action,
  ARROW_FREE,
  CREATURE_WALKABLE,
  DIRECTIONS,
  Item,
  type ItemName,
  Material,
  type MaterialName,
  ObjectKind,
  type Player,
  type World,
  WORLD_SIZE,
  PLANT_RIPE_AFTER,
} from '@aikon/engine';
import {
  PASS_BLOCKED,
  PASS_DEADLY,
  PASS_DIG,
  PASS_WALK,
  Pathfinder,
  type SearchResult,
  type Terrain,
} from './pathfind.ts';
import { type Sense, Senses } from './senses.ts';
import { achievementIndex, describeTask, type TaskSpec, taskAmount, taskTimeout } from './tasks.ts';
import { collectRuleForMaterial, makeRule, placeRule } from './techtree.ts';

const N = WORLD_SIZE;
const DX = DIRECTIONS.map((d) => d[0]);
const DY = DIRECTIONS.map((d) => d[1]);
const OPPOSITE = [1, 0, 3, 2];
/** Steps a worker keeps to a route before searching again. */
const ROUTE_COMMIT = 10;

const M = Material;
const STONE_TARGETS = new Uint8Array(16);
for (const m of placeRule('stone')!.targets) STONE_TARGETS[M[m]] = 1;

/** Coordination with other workers (the commander's reservations). */
export interface Coordination {
  /** Claims a target tile for `slot`; false when another worker holds it. */
  reserve(tile: number, slot: number): boolean;
  reservedByOther(tile: number, slot: number): boolean;
}

const NO_COORDINATION: Coordination = { reserve: () => true, reservedByOther: () => false };

export interface AssignedTask {
  id: number;
  spec: TaskSpec;
}

export type TaskStatus = 'idle' | 'running' | 'done' | 'failed';

export interface OutcomeRecord {
  taskId: number;
  kind: TaskSpec['kind'];
  label: string;
  success: boolean;
  steps: number;
  reason?: string;
  t: number;
}

export interface ExecutorOptions {
  sense?: Sense;
  coordination?: Coordination;
  /** Shared A* workspace (workers on one thread may share one). */
  pathfinder?: Pathfinder;
  /** At night: 'hide' in a shelter always, or only when 'cautious' (threatened or hurt). */
  nightPolicy?: 'hide' | 'cautious';
}

/** Daylight below which it counts as night for the workers. */
const NIGHT = 0.3;
/** Path cost to an existing shelter above which building walls here is considered. */
const WALK_TO_SHELTER = 6;

type Need = 'drink' | 'food' | 'sleep' | 'heal' | null;

function inside(x: number, y: number): boolean {
  return x >= 0 && y >= 0 && x < N && y < N;
}

export class Executor {
  readonly slot: number;
  readonly senses: Senses;
  readonly pf: Pathfinder;
  coordination: Coordination;
  task: AssignedTask | null = null;
  status: TaskStatus = 'idle';
  failReason = '';
  readonly outcomes: OutcomeRecord[] = [];
  /** What the executor is doing right now, for logs and UIs. */
  activity = 'idle';
  need: Need = null;
  nightPolicy: 'hide' | 'cautious';
  /** Timing of decisions (ms) when `profile` is on. */
  profile = false;
  readonly decisionMs: number[] = [];

  private taskStart = 0;
  private baseline = 0;
  private script: number[] = [];
  private readonly pass = new Uint8Array(16);
  private readonly blocked = new Uint8Array(N * N);
  private readonly extra = new Uint8Array(N * N);
  private readonly marked: number[] = [];
  private terrain: Terrain;
  private plantSite = -1;
  private plantSince = 0;
  private exploreTarget = -1;
  private exploreSince = 0;
  private shelterRetry = 0;
  private noStationPlaceUntil = 0;
  private nearFailedUntil = 0;
  private readonly encSeen = new Int32Array(N * N);
  private readonly encQueue = new Int32Array(64);
  private encGen = 0;
  private readonly noTarget = new Map<number, { known: number; t: number }>();
  private preferFailedAt = -1;
  private wallFrom = new Int32Array(0);
  private wallAction = new Int8Array(0);
  private readonly banned = new Map<number, number>();
  private lastKey = '';
  private stuck = 0;
  private lastTarget = -1;
  private t = 0;
  private route: { key: string; path: number[]; idx: number; until: number } | null = null;

  constructor(slot: number, options: ExecutorOptions = {}) {
    this.slot = slot;
    this.senses = new Senses(options.sense ?? 'privileged');
    this.pf = options.pathfinder ?? new Pathfinder();
    this.coordination = options.coordination ?? NO_COORDINATION;
    this.nightPolicy = options.nightPolicy ?? 'hide';
    this.terrain = { mat: this.senses.mat, blocked: this.blocked, pass: this.pass, extra: this.extra };
  }

  // ---- task lifecycle -------------------------------------------------------------------

  assign(task: AssignedTask, world: World): void {
    const p = world.findPlayer(this.slot);
    this.task = task;
    this.status = 'running';
    this.failReason = '';
    this.taskStart = world.t;
    const ach = achievementIndex(task.spec);
    this.baseline = ach >= 0 && p ? p.achievements[ach] : 0;
    this.plantSite = -1;
    this.exploreTarget = -1;
    this.stuck = 0;
  }

  /** Drops the current task (commander reassigning, kill switch). */
  cancel(): void {
    this.task = null;
    this.status = 'idle';
    this.script.length = 0;
  }

  /** Checks the current task against the worker's own counters: done, failed or running. */
  selfEvaluate(world: World): TaskStatus {
    const task = this.task;
    if (!task || this.status !== 'running') return this.status;
    const p = world.findPlayer(this.slot);
    if (!p || p.dead) return this.finish(world, false, 'worker dead');
    const spec = task.spec;
    if (spec.kind === 'survive') {
      if (world.t - this.taskStart >= spec.steps) return this.finish(world, true);
      return 'running';
    }
    const ach = achievementIndex(spec);
    const progress = p.achievements[ach] - this.baseline;
    if (progress >= taskAmount(spec)) {
      if (spec.kind === 'place' && spec.what === 'plant' && !this.plantProtected()) return 'running';
      return this.finish(world, true);
    }
    if (world.t - this.taskStart > taskTimeout(spec)) return this.finish(world, false, 'timeout');
    return 'running';
  }

  private finish(world: World, success: boolean, reason?: string): TaskStatus {
    const task = this.task!;
    this.status = success ? 'done' : 'failed';
    this.failReason = reason ?? '';
    this.outcomes.push({
      taskId: task.id,
      kind: task.spec.kind,
      label: describeTask(task.spec),
      success,
      steps: world.t - this.taskStart,
      reason,
      t: world.t,
    });
    this.script.length = 0;
    return this.status;
  }

  private fail(reason: string): null {
    if (this.status === 'running') {
      this.status = 'failed';
      this.failReason = reason;
      const task = this.task!;
      this.outcomes.push({
        taskId: task.id,
        kind: task.spec.kind,
        label: describeTask(task.spec),
        success: false,
        steps: this.t - this.taskStart,
        reason,
        t: this.t,
      });
    }
    return null;
  }

  /** Success rate and mean steps of past outcomes of one kind of task (for the planner). */
  record(kind: TaskSpec['kind'], label?: string): { tries: number; successRate: number; meanSteps: number } {
    const rows = this.outcomes.filter((o) => o.kind === kind && (label === undefined || o.label === label));
    if (rows.length === 0) return { tries: 0, successRate: 1, meanSteps: 0 };
    const ok = rows.filter((o) => o.success);
    return {
      tries: rows.length,
      successRate: ok.length / rows.length,
      meanSteps: ok.length > 0 ? ok.reduce((s, o) => s + o.steps, 0) / ok.length : Infinity,
    };
  }

  // ---- the decision ---------------------------------------------------------------------

  /** Refreshes senses and the path-finding terrain without deciding (tests, tools). */
  observe(world: World): void {
    const p = world.findPlayer(this.slot);
    if (!p) return;
    this.t = world.t;
    this.senses.update(world, p);
    this.prepareTerrain(p);
  }

  /** The action for this tick (the caller steps the world). */
  decide(world: World): number {
    if (!this.profile) return this.decideInner(world);
    const t0 = performance.now();
    const a = this.decideInner(world);
    this.decisionMs.push(performance.now() - t0);
    return a;
  }

  private decideInner(world: World): number {
    const p = world.findPlayer(this.slot);
    this.t = world.t;
    if (!p || p.dead || p.removed) return Action.noop;
    this.senses.update(world, p);
    if (p.sleeping) {
      this.activity = 'sleeping';
      return Action.noop;
    }
    this.prepareTerrain(p);
    const reflex = this.reflex(world, p);
    if (reflex !== null) return this.guard(p, reflex);
    if (this.script.length > 0) return this.guard(p, this.script.shift()!);
    if (this.task && this.status === 'running') {
      const a = this.runTask(world, p, this.task.spec);
      if (a !== null) return this.guard(p, a);
    }
    this.activity = 'idle';
    return this.idle(world, p);
  }

  /** Detects a worker that keeps acting without any change and bans its target for a while. */
  private guard(p: Player, action: number): number {
    // Last line of defence: never step onto lava, whatever a stale script or route says.
    if (action >= Action.move_left && action <= Action.move_down) {
      const d = action - Action.move_left;
      if (this.senses.material(p.x + DX[d], p.y + DY[d]) === M.lava) {
        this.script.length = 0;
        this.route = null;
        return Action.noop;
      }
    }
    const key = `${p.x},${p.y},${p.facing},${p.inventory.join(',')}`;
    if (key === this.lastKey && action !== Action.noop && action !== Action.sleep) {
      if (++this.stuck > 12 && this.lastTarget >= 0) {
        this.banned.set(this.lastTarget, this.t + 150);
        this.stuck = 0;
        this.exploreTarget = -1;
      }
    } else this.stuck = 0;
    this.lastKey = key;
    return action;
  }

  private isBanned(tile: number): boolean {
    const until = this.banned.get(tile);
    if (until === undefined) return false;
    if (until < this.t) {
      this.banned.delete(tile);
      return false;
    }
    return true;
  }

  private prepareTerrain(p: Player): void {
    const inv = p.inventory;
    const pass = this.pass;
    pass.fill(PASS_BLOCKED);
    pass[0] = PASS_WALK; // unknown tiles: optimistic
    pass[M.grass] = pass[M.sand] = pass[M.path] = PASS_WALK;
    pass[M.tree] = PASS_DIG;
    pass[M.lava] = PASS_DEADLY;
    if (inv[Item.wood_pickaxe] > 0) pass[M.stone] = pass[M.coal] = PASS_DIG;
    if (inv[Item.stone_pickaxe] > 0) pass[M.iron] = PASS_DIG;
    if (inv[Item.iron_pickaxe] > 0) pass[M.diamond] = PASS_DIG;
    for (const i of this.marked) {
      this.blocked[i] = 0;
      this.extra[i] = 0;
    }
    this.marked.length = 0;
    for (const o of this.senses.objects) {
      const i = o.x * N + o.y;
      const d = Math.abs(o.x - p.x) + Math.abs(o.y - p.y);
      if (o.kind === ObjectKind.plant || d <= 3) {
        this.blocked[i] = 1;
        this.marked.push(i);
      }
      if (o.kind === ObjectKind.skeleton && d <= 12) {
        // Its lines of fire (arrows fly straight along one axis, §10.4).
        for (let k = 0; k < 4; k++) this.markLine(o.x, o.y, k, 5, 2);
      } else if (o.kind === ObjectKind.arrow && d <= 8) {
        this.markLine(o.x, o.y, o.dir, 5, 3);
      }
      if (o.kind === ObjectKind.zombie && d <= 10) {
        for (let k = 0; k < 4; k++) {
          const nx = o.x + DX[k];
          const ny = o.y + DY[k];
          if (!inside(nx, ny)) continue;
          const j = nx * N + ny;
          this.extra[j] = 3;
          this.marked.push(j);
        }
      }
    }
  }

  private markLine(x: number, y: number, dir: number, length: number, cost: number): void {
    for (let s = 1; s <= length; s++) {
      const nx = x + DX[dir] * s;
      const ny = y + DY[dir] * s;
      if (!inside(nx, ny)) return;
      const j = nx * N + ny;
      if (ARROW_FREE[this.senses.mat[j]] !== 1) return;
      if (this.extra[j] < cost) this.extra[j] = cost;
      this.marked.push(j);
    }
  }

  /** A skeleton with a clear shot along our row or column within `range`. */
  private skeletonInLine(p: Player, range: number): { x: number; y: number } | null {
    for (const o of this.senses.objects) {
      if (o.kind !== ObjectKind.skeleton) continue;
      const dx = p.x - o.x;
      const dy = p.y - o.y;
      if ((dx !== 0 && dy !== 0) || Math.abs(dx) + Math.abs(dy) > range) continue;
      const dir = dx < 0 ? 0 : dx > 0 ? 1 : dy < 0 ? 2 : 3;
      let clear = true;
      for (let s = 1; s < Math.abs(dx) + Math.abs(dy); s++) {
        const m = this.senses.material(o.x + DX[dir] * s, o.y + DY[dir] * s);
        if (ARROW_FREE[m] !== 1) clear = false;
      }
      if (clear) return o;
    }
    return null;
  }

  // ---- search helpers -------------------------------------------------------------------

  private search(
    p: Player,
    goal: (x: number, y: number, f: number) => boolean,
    maxCost?: number,
    heuristic?: (x: number, y: number) => number,
    key?: string,
  ): SearchResult {
    if (key !== undefined) {
      const cached = this.followRoute(p, key, goal);
      if (cached) return cached;
    }
    const res = this.pf.search(this.terrain, p.x, p.y, p.facing, { goal, maxCost, heuristic });
    if (key !== undefined && res.found && res.path.length > 1)
      this.route = { key, path: res.path, idx: 0, until: this.t + ROUTE_COMMIT };
    else if (key !== undefined) this.route = null;
    return res;
  }

  /**
   * Keeps following the last route for a few steps while it stays valid (its goal still
   * holds and its next step is still possible): steadier than re-planning every tick, and cheaper.
   */
  private followRoute(p: Player, key: string, goal: (x: number, y: number, f: number) => boolean): SearchResult | null {
    const route = this.route;
    if (!route || route.key !== key || this.t >= route.until) return null;
    const cur = ((p.x * N + p.y) << 2) | p.facing;
    let i = -1;
    for (let j = route.idx; j < Math.min(route.path.length, route.idx + 3); j++) if (route.path[j] === cur) i = j;
    if (i < 0) return null;
    route.idx = i;
    const end = route.path[route.path.length - 1];
    const et = end >> 2;
    const ex = (et / N) | 0;
    const ey = et - ex * N;
    if (!goal(ex, ey, end & 3)) return null;
    const base = { found: true, x: ex, y: ey, facing: end & 3, cost: 0, path: route.path, expansions: 0 };
    if (i === route.path.length - 1) return { ...base, action: Action.noop, steps: 0 };
    const next = route.path[i + 1];
    const d = next & 3;
    const nx = p.x + DX[d];
    const ny = p.y + DY[d];
    const open = inside(nx, ny) && this.blocked[nx * N + ny] === 0;
    const pass = open ? this.pass[this.senses.mat[nx * N + ny]] : PASS_BLOCKED;
    let action: number;
    if (next >> 2 === cur >> 2) {
      if (pass !== PASS_BLOCKED) return null; // the turn would now be a move
      action = Action.move_left + d;
    } else if (pass === PASS_WALK) action = Action.move_left + d;
    else if (pass === PASS_DIG) action = p.facing === d ? Action.do : Action.move_left + d;
    else return null;
    return { ...base, action, steps: route.path.length - 1 - i };
  }

  /** Searches for a state facing a tile that satisfies `pred`; reserves the tile. */
  private seekFacing(
    p: Player,
    pred: (tile: number) => boolean,
    maxCost?: number,
    key?: string,
  ): SearchResult & { target: number } {
    const res = this.search(
      p,
      (x, y, f) => {
        const tx = x + DX[f];
        const ty = y + DY[f];
        if (!inside(tx, ty)) return false;
        const t = tx * N + ty;
        return pred(t) && !this.isBanned(t) && !this.coordination.reservedByOther(t, this.slot);
      },
      maxCost,
      undefined,
      key,
    );
    const target = res.found ? (res.x + DX[res.facing]) * N + (res.y + DY[res.facing]) : -1;
    if (target >= 0) {
      this.coordination.reserve(target, this.slot);
      this.lastTarget = target;
    }
    return { ...res, target };
  }

  /** Goes toward a state satisfying `goal` and then performs `finalAction`. */
  private act(res: SearchResult, finalAction: number): number {
    return res.steps === 0 ? finalAction : res.action;
  }

  private stationsNear(x: number, y: number, stations: readonly MaterialName[]): boolean {
    if (x <= 0 || y <= 0) return false; // the crafting quirk (§8.8)
    outer: for (const s of stations) {
      const id = M[s];
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          if (this.senses.material(x + dx, y + dy) === id) continue outer;
        }
      }
      return false;
    }
    return true;
  }

  private freeTarget(t: number): boolean {
    return this.blocked[t] === 0 && this.senses.objectAt((t / N) | 0, t % N) === null;
  }

  // ---- exploration (fair sense) ---------------------------------------------------------

  /** Heads for unknown tiles, preferring those next to tiles `near` accepts. */
  private explore(p: Player, near?: (material: number) => boolean): number | null {
    if (this.senses.sense === 'privileged') return null;
    const mat = this.senses.mat;
    if (this.exploreTarget >= 0 && (mat[this.exploreTarget] !== 0 || this.t - this.exploreSince > 80))
      this.exploreTarget = -1;
    if (this.exploreTarget < 0) {
      const pick = (pref: boolean): boolean => {
        const res = this.search(p, (x, y) => {
          const i = x * N + y;
          if (mat[i] !== 0 || this.isBanned(i)) return false;
          if (!pref || !near) return true;
          for (let k = 0; k < 4; k++) {
            const nx = x + DX[k];
            const ny = y + DY[k];
            if (inside(nx, ny) && near(mat[nx * N + ny])) return true;
          }
          return false;
        });
        if (!res.found) return false;
        this.exploreTarget = res.x * N + res.y;
        this.exploreSince = this.t;
        return true;
      };
      // The preferred frontier is searched again only once the map has grown.
      const tryPref = near !== undefined && this.senses.knownTiles >= this.preferFailedAt + 30;
      if (tryPref && pick(true)) {
        // found a preferred frontier tile
      } else {
        if (tryPref) this.preferFailedAt = this.senses.knownTiles;
        if (!pick(false)) return null;
      }
    }
    const tx = (this.exploreTarget / N) | 0;
    const ty = this.exploreTarget % N;
    this.lastTarget = this.exploreTarget;
    const res = this.search(
      p,
      (x, y) => x === tx && y === ty,
      undefined,
      (x, y) => Math.abs(x - tx) + Math.abs(y - ty),
      `explore:${this.exploreTarget}`,
    );
    if (!res.found) {
      this.banned.set(this.exploreTarget, this.t + 500);
      this.exploreTarget = -1;
      return null;
    }
    this.activity = 'exploring';
    return res.action;
  }

  // ---- reflexes -------------------------------------------------------------------------

  private reflex(world: World, p: Player): number | null {
    const inv = p.inventory;
    const health = inv[Item.health];
    // Creatures next to us: fight (or flee when weak and the fight is long).
    let threat: { x: number; y: number; kind: number; health: number } | null = null;
    let nearestZombie = Infinity;
    for (const o of this.senses.objects) {
      const d = Math.abs(o.x - p.x) + Math.abs(o.y - p.y);
      if (o.kind === ObjectKind.zombie) nearestZombie = Math.min(nearestZombie, d);
      if ((o.kind === ObjectKind.zombie || o.kind === ObjectKind.skeleton) && d === 1) threat = o;
    }
    if (threat) {
      // Fleeing does not work (zombies are as fast as we are): strike first.
      this.script.length = 0;
      this.activity = 'fighting';
      return this.faceAndDo(p, threat.x, threat.y);
    }
    // Arrows flying at us: step aside.
    for (const o of this.senses.objects) {
      if (o.kind !== ObjectKind.arrow) continue;
      const d = Math.abs(o.x - p.x) + Math.abs(o.y - p.y);
      if (d > 4) continue;
      const [ax, ay] = DIRECTIONS[o.dir];
      const toward =
        (o.x === p.x && Math.sign(p.y - o.y) === ay && ax === 0) ||
        (o.y === p.y && Math.sign(p.x - o.x) === ax && ay === 0);
      if (toward) {
        const dodge = this.sidestep(p, o.dir);
        if (dodge !== null) return dodge;
      }
    }
    if (this.script.length > 0) return null;

    // Needs, with hysteresis.
    const food = inv[Item.food];
    const drink = inv[Item.drink];
    const energy = inv[Item.energy];
    if (this.need === 'drink' && drink >= 9) this.need = null;
    if (this.need === 'food' && food >= 8) this.need = null;
    if (this.need === 'sleep' && energy >= 9) this.need = null;
    if (this.need === 'heal' && (health >= 8 || drink <= 2 || food <= 2)) this.need = null;
    if (health <= 4 && drink > 2 && food > 2) this.need = 'heal';
    const night = world.daylight < 0.3;
    if (energy <= 1 || (this.need !== 'drink' && this.need !== 'food' && (energy <= 2 || (night && energy <= 5))))
      this.need = this.need ?? 'sleep';
    if (drink <= 3 && (this.need !== 'food' || food > drink)) this.need = 'drink';
    if (food <= 3 && (this.need !== 'drink' || drink > food)) this.need = 'food';
    if (energy <= 1 && drink > 1 && food > 1) this.need = 'sleep';

    if (this.need === 'drink') {
      this.activity = 'drinking';
      const a = this.collectMaterial(p, M.water, Action.do);
      if (a !== null) return a;
      const e = this.explore(p, (m) => m === M.water || m === M.sand);
      if (e !== null) return e;
      this.need = null;
    } else if (this.need === 'food') {
      this.activity = 'eating';
      const a = this.eat(p, true);
      if (a !== null) return a;
      const e = this.explore(p, (m) => m === M.grass);
      if (e !== null) return e;
      this.need = null;
    } else if (this.need === 'heal') {
      // Rest walled in until health is back (sleeping heals twice as fast, §8.10).
      this.activity = 'healing';
      if (this.enclosed(p.x, p.y, -1)) return energy < 9 ? Action.sleep : Action.noop;
      const a = this.shelter(p, 50);
      if (a !== null) return a;
    } else if (this.need === 'sleep') {
      this.activity = 'sheltering';
      const a = this.shelter(p);
      if (a !== null) return a;
      if (world.daylight > 0.4 || energy <= 1) return Action.sleep;
    }

    // Night: zombies spawn on grass in the dark (§12). Stay in a shelter, or find one when threatened.
    if (world.daylight < NIGHT && drink > 2 && food > 2) {
      if (this.enclosed(p.x, p.y, -1)) {
        this.activity = 'waiting for daylight';
        return energy < 9 ? Action.sleep : Action.noop;
      }
      if (this.nightPolicy === 'hide' || nearestZombie <= 6 || health <= 5) {
        const a = this.shelter(p);
        if (a !== null) {
          this.activity = 'sheltering for the night';
          return a;
        }
      }
    }

    // Opportunities.
    const fx = p.x + DX[p.facing];
    const fy = p.y + DY[p.facing];
    if (this.senses.material(fx, fy) === M.water && drink <= 7 && !this.senses.objectAt(fx, fy)) return Action.do;
    const faced = this.senses.objectAt(fx, fy);
    if (faced && faced.kind === ObjectKind.cow && food <= 6) return Action.do;
    // Top up while food and water are close, rather than hunting for them in a hurry later.
    if (food <= 5 && world.daylight >= NIGHT) {
      const res = this.seekFacing(
        p,
        (t) => {
          const o = this.senses.objectAt((t / N) | 0, t % N);
          return o !== null && o.kind === ObjectKind.cow;
        },
        8,
      );
      if (res.found) {
        this.activity = 'eating on the way';
        return this.act(res, Action.do);
      }
    }
    if (drink <= 5) {
      const a = this.collectMaterial(p, M.water, Action.do, 8);
      if (a !== null) {
        this.activity = 'drinking on the way';
        return a;
      }
    }
    if (
      p.achievements[Achievement.wake_up] === 0 &&
      energy < 9 &&
      world.daylight > 0.7 &&
      nearestZombie > 10 &&
      health >= 5
    ) {
      // Crafter's cheapest achievement: a short nap in daylight (about a dozen steps), right
      // here unless a skeleton has a shot at us.
      if (!this.skeletonInLine(p, 6)) {
        this.activity = 'napping';
        return Action.sleep;
      }
    }
    return null;
  }

  private faceAndDo(p: Player, x: number, y: number): number {
    const dir = DX.findIndex((dx, k) => p.x + dx === x && p.y + DY[k] === y);
    if (dir < 0) return Action.noop;
    return p.facing === dir ? Action.do : Action.move_left + dir;
  }

  private walkable(x: number, y: number): boolean {
    if (!inside(x, y)) return false;
    const i = x * N + y;
    return this.pass[this.senses.mat[i]] === PASS_WALK && this.senses.mat[i] !== 0 && this.freeTarget(i);
  }

  private flee(p: Player): number | null {
    let best = -1;
    let bestScore = -Infinity;
    for (let k = 0; k < 4; k++) {
      const nx = p.x + DX[k];
      const ny = p.y + DY[k];
      if (!this.walkable(nx, ny)) continue;
      let score = 0;
      for (const o of this.senses.objects) {
        if (o.kind !== ObjectKind.zombie && o.kind !== ObjectKind.skeleton) continue;
        score += Math.min(8, Math.abs(o.x - nx) + Math.abs(o.y - ny));
      }
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    if (best < 0) return null;
    this.activity = 'fleeing';
    return Action.move_left + best;
  }

  private sidestep(p: Player, arrowDir: number): number | null {
    const perpendicular = arrowDir < 2 ? [2, 3] : [0, 1];
    for (const k of perpendicular) if (this.walkable(p.x + DX[k], p.y + DY[k])) return Action.move_left + k;
    return null;
  }

  // ---- shelter and sleep ----------------------------------------------------------------

  /**
   * Whether creatures cannot reach a tile next to (x, y): the creature-walkable region
   * around it (with `extraBlocked` counted as sealed) is tiny (no spawn is possible within
   * 6 tiles of the player, §12) and holds no zombie or skeleton.
   */
  enclosed(x: number, y: number, extraBlocked: number): boolean {
    const mat = this.senses.mat;
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
      const o = this.senses.objectAt((i / N) | 0, i % N);
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
      for (let s = 1; s <= 6; s++) {
        const nx = x + DX[k] * s;
        const ny = y + DY[k] * s;
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
  private shelter(p: Player, maxCost = 40): number | null {
    if (this.enclosed(p.x, p.y, -1)) return Action.sleep;
    if (this.t < this.shelterRetry) return null;
    const stone = p.inventory[Item.stone];
    const res = this.search(
      p,
      (x, y, f) => {
        const tx = x + DX[f];
        const ty = y + DY[f];
        const t = inside(tx, ty) ? tx * N + ty : -1;
        if (t >= 0 && stone > 0 && STONE_TARGETS[this.senses.mat[t]] === 1 && this.freeTarget(t)) {
          // Cheap test first: a pocket has at most two open sides besides the one to seal.
          let open = 0;
          for (let k = 0; k < 4; k++) {
            const nx = x + DX[k];
            const ny = y + DY[k];
            if (inside(nx, ny) && nx * N + ny !== t && CREATURE_WALKABLE[this.senses.mat[nx * N + ny]] === 1) open++;
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
    if (res.found && res.cost > WALK_TO_SHELTER) {
      const plan = this.planWalls(p);
      if (plan && plan.length > 0 && plan.length < res.cost) {
        this.activity = 'building a shelter';
        this.route = null;
        this.script = plan.slice(1);
        return plan[0];
      }
    }
    if (res.found) return res.action;
    if (p.inventory[Item.wood_pickaxe] > 0) {
      // Dig a two-tile pocket into solid rock and seal the entrance behind us.
      const mat = this.senses.mat;
      const solid = (x: number, y: number): boolean => {
        if (!inside(x, y)) return true;
        const m = mat[x * N + y];
        return m !== 0 && ARROW_FREE[m] !== 1;
      };
      const dig = this.search(
        p,
        (x, y, f) => {
          const ax = x + DX[f];
          const ay = y + DY[f];
          const bx = ax + DX[f];
          const by = ay + DY[f];
          if (!inside(ax, ay) || !inside(bx, by)) return false;
          if (mat[ax * N + ay] !== M.stone || mat[bx * N + by] !== M.stone) return false;
          if (this.blocked[x * N + y] !== 0) return false;
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
          this.script = [
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
      this.activity = 'building a shelter';
      this.script = plan.slice(1);
      return plan[0];
    }
    this.shelterRetry = this.t + 20;
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
    const stones = p.inventory[Item.stone];
    if (stones === 0) return null;
    const R = 4;
    const W = 2 * R + 1;
    const mat = this.senses.mat;
    let best: number[] | null = null;
    for (let d = 0; d < 4; d++) {
      const px = p.x;
      const py = p.y;
      const qx = px + DX[d];
      const qy = py + DY[d];
      if (!this.walkable(qx, qy)) continue;
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
        else if (STONE_TARGETS[m] === 1 && this.freeTarget(t)) need++;
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
          else if (this.walkable(nx, ny))
            moveKind[c * 4 + k] = Math.abs(nx - px) <= R && Math.abs(ny - py) <= R ? 1 : 2;
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

  // ---- skills ---------------------------------------------------------------------------

  /** Faces the nearest tile of `material` and performs `action` on it. */
  private collectMaterial(p: Player, material: number, action: number, maxCost?: number): number | null {
    // A search that found nothing is not repeated until the map has grown or a while has passed.
    const memoKey = material * 1000 + (maxCost ?? 999);
    const memo = this.noTarget.get(memoKey);
    if (memo && this.senses.knownTiles < memo.known + 20 && this.t < memo.t + 15) return null;
    const res = this.seekFacing(
      p,
      (t) => this.senses.mat[t] === material && this.freeTarget(t),
      maxCost,
      `collect:${material}`,
    );
    if (!res.found) {
      this.noTarget.set(memoKey, { known: this.senses.knownTiles, t: this.t });
      return null;
    }
    this.noTarget.delete(memoKey);
    return this.act(res, action);
  }

  private eat(p: Player, allowPlant: boolean): number | null {
    if (allowPlant) {
      const ripe = this.ripePlant(p);
      if (ripe !== null) return ripe;
    }
    let cows = false;
    for (const o of this.senses.objects) if (o.kind === ObjectKind.cow) cows = true;
    if (!cows) return null;
    const res = this.seekFacing(p, (t) => {
      const o = this.senses.objectAt((t / N) | 0, t % N);
      return o !== null && o.kind === ObjectKind.cow;
    });
    if (!res.found) return null;
    return this.act(res, Action.do);
  }

  private ripePlant(p: Player): number | null {
    let any = false;
    for (const mem of this.senses.plants.values()) if (mem.grown > PLANT_RIPE_AFTER) any = true;
    if (!any) return null;
    const res = this.seekFacing(p, (t) => {
      const mem = this.senses.plants.get(t);
      return mem !== undefined && mem.grown > PLANT_RIPE_AFTER;
    });
    if (!res.found) return null;
    return this.act(res, Action.do);
  }

  private runTask(world: World, p: Player, spec: TaskSpec): number | null {
    const inv = p.inventory;
    switch (spec.kind) {
      case 'collect': {
        const rule = collectRuleForMaterial(spec.material);
        if (!rule) return this.fail(`no rule collects ${spec.material}`);
        for (const [tool, n] of Object.entries(rule.require)) {
          if (inv[Item[tool as ItemName]] < (n as number)) return this.fail(`missing ${tool}`);
        }
        this.activity = `collecting ${spec.material}`;
        const id = M[spec.material];
        const a = this.collectMaterial(p, id, Action.do);
        if (a !== null) return a;
        const e = this.explore(
          p,
          spec.material === 'tree' || spec.material === 'grass'
            ? (m) => m === M.grass
            : spec.material === 'water'
              ? (m) => m === M.water || m === M.sand
              : (m) => m === M.stone || m === M.path || m === M.coal || m === M.iron || m === M.lava,
        );
        if (e !== null) return e;
        return this.fail(`no reachable ${spec.material}`);
      }
      case 'make': {
        const rule = makeRule(spec.item);
        if (!rule) return this.fail(`no recipe for ${spec.item}`);
        for (const [item, n] of Object.entries(rule.cost)) {
          if (inv[Item[item as ItemName]] < (n as number)) return this.fail(`missing ${item}`);
        }
        this.activity = `making ${spec.item}`;
        const res = this.search(
          p,
          (x, y) => this.stationsNear(x, y, rule.nearby),
          undefined,
          undefined,
          `make:${spec.item}`,
        );
        if (res.found && (res.cost <= 40 || this.t < this.noStationPlaceUntil))
          return this.act(res, Action[rule.action]);
        // No station within reach: build what is missing if the inventory allows it.
        for (const station of rule.nearby) {
          const place = placeRule(station)!;
          const spare = Object.entries(place.cost).every(
            ([item, n]) =>
              inv[Item[item as ItemName]] >= (n as number) + ((rule.cost as Record<string, number>)[item] ?? 0),
          );
          if (!spare) continue;
          const others = rule.nearby.filter((s) => s !== station);
          if (others.length > 0 && !this.search(p, (x, y) => this.stationsNear(x, y, others), 40).found) continue;
          const a = this.placeSkill(p, place.name, others);
          if (a !== null) return a;
        }
        this.noStationPlaceUntil = this.t + 30;
        if (res.found) return this.act(res, Action[rule.action]);
        return this.fail(`no ${rule.nearby.join(' and ')} within reach`);
      }
      case 'place': {
        const rule = placeRule(spec.what)!;
        if (spec.what === 'plant' && this.plantSite >= 0) return this.protectPlant(p);
        for (const [item, n] of Object.entries(rule.cost)) {
          if (inv[Item[item as ItemName]] < (n as number)) return this.fail(`missing ${item}`);
        }
        this.activity = `placing ${spec.what}`;
        const a = this.placeSkill(p, spec.what, spec.near ?? []);
        if (a !== null) return a;
        return this.fail(`no place for ${spec.what}`);
      }
      case 'defeat': {
        const kind = ObjectKind[spec.creature];
        if (inv[Item.health] <= 4) return this.recover(world, p);
        this.activity = `hunting ${spec.creature}`;
        const res = this.seekFacing(p, (t) => {
          const o = this.senses.objectAt((t / N) | 0, t % N);
          return o !== null && o.kind === kind;
        });
        if (res.found) return this.act(res, Action.do);
        const e = this.explore(p, spec.creature === 'skeleton' ? (m) => m === M.path : (m) => m === M.grass);
        if (e !== null) return e;
        if (spec.creature === 'zombie') return Action.noop; // zombies come at night
        // Skeletons live in tunnels: dig toward unexplored dark areas (privileged: none left).
        return this.fail('no skeleton reachable');
      }
      case 'eat': {
        this.activity = `eating ${spec.food}`;
        if (spec.food === 'cow') {
          const a = this.eat(p, false);
          if (a !== null) return a;
          const e = this.explore(p, (m) => m === M.grass);
          if (e !== null) return e;
          return this.fail('no cow reachable');
        }
        const a = this.ripePlant(p);
        if (a !== null) return a;
        if (this.senses.plants.size === 0) return this.fail('no plant');
        // Wait near the plant (it only grows while a player is within 17 tiles).
        let best: { x: number; y: number } | null = null;
        let bestD = Infinity;
        for (const mem of this.senses.plants.values()) {
          const d = Math.abs(mem.x - p.x) + Math.abs(mem.y - p.y);
          if (d < bestD) {
            bestD = d;
            best = mem;
          }
        }
        if (best && bestD > 6) {
          const bx = best.x;
          const by = best.y;
          const res = this.search(
            p,
            (x, y) => Math.abs(x - bx) + Math.abs(y - by) <= 5,
            undefined,
            (x, y) => Math.max(0, Math.abs(x - bx) + Math.abs(y - by) - 5),
          );
          if (res.found) return res.action;
        }
        this.activity = 'waiting for a plant to ripen';
        return this.idle(world, p);
      }
      case 'sleep': {
        this.activity = 'sleeping';
        if (inv[Item.energy] < 9) {
          const a = this.shelter(p);
          if (a !== null) return a;
          if (world.daylight > 0.5) return Action.sleep;
        }
        return this.idle(world, p);
      }
      case 'survive': {
        // Stay walled in; the reflexes leave the shelter only to drink and eat.
        this.activity = 'surviving';
        if (this.enclosed(p.x, p.y, -1)) return inv[Item.energy] < 9 ? Action.sleep : Action.noop;
        const a = this.shelter(p, 60);
        return a ?? Action.noop;
      }
    }
  }

  /** Places `what` facing a valid tile, with `near` stations within reach of the standing tile. */
  private placeSkill(p: Player, what: string, near: readonly MaterialName[]): number | null {
    const rule = placeRule(what)!;
    const targets = new Uint8Array(16);
    for (const m of rule.targets) targets[M[m]] = 1;
    const action = Action[rule.action];
    const ok = (t: number): boolean => targets[this.senses.mat[t]] === 1 && this.freeTarget(t) && t !== p.x * N + p.y;
    const mat = this.senses.mat;
    const sheltered = (t: number): number => {
      const x = (t / N) | 0;
      const y = t % N;
      let n = 0;
      for (let k = 0; k < 4; k++) {
        const nx = x + DX[k];
        const ny = y + DY[k];
        if (!inside(nx, ny) || (mat[nx * N + ny] !== 0 && CREATURE_WALKABLE[mat[nx * N + ny]] !== 1)) n++;
      }
      return n;
    };
    const goal =
      (strict: boolean) =>
      (x: number, y: number, f: number): boolean => {
        const tx = x + DX[f];
        const ty = y + DY[f];
        if (!inside(tx, ty)) return false;
        const t = tx * N + ty;
        if (!ok(t) || this.isBanned(t) || this.coordination.reservedByOther(t, this.slot)) return false;
        if (near.length > 0 && !this.stationsNear(x, y, near)) return false;
        if (strict && sheltered(t) < 2) return false;
        return true;
      };
    let res = what === 'plant' ? this.search(p, goal(true), 25) : ({ found: false } as SearchResult);
    if (!res.found && (near.length === 0 || this.t >= this.nearFailedUntil))
      res = this.search(p, goal(false), near.length > 0 ? 60 : undefined, undefined, `place:${what}:${near.join('+')}`);
    if (!res.found && near.length > 0) {
      this.nearFailedUntil = this.t + 50;
      return this.placeSkill(p, what, []);
    }
    if (!res.found) return null;
    const target = (res.x + DX[res.facing]) * N + (res.y + DY[res.facing]);
    this.lastTarget = target;
    this.coordination.reserve(target, this.slot);
    if (res.steps === 0) {
      if (what === 'plant') {
        this.plantSite = target;
        this.plantSince = this.t;
        this.senses.notePlant((target / N) | 0, target % N);
      }
      return action;
    }
    return res.action;
  }

  /** After planting: seal the plant's open sides with stone so cows and zombies cannot trample it. */
  private protectPlant(p: Player): number | null {
    const site = this.plantSite;
    const sx = (site / N) | 0;
    const sy = site % N;
    const here = this.senses.objectAt(sx, sy);
    if (!here || here.kind !== ObjectKind.plant) {
      if (Senses.inView(p, sx, sy) && this.t > this.plantSince + 1) this.plantSite = -1;
      return Action.noop;
    }
    const open = (t: number): boolean => {
      const m = this.senses.mat[t];
      return CREATURE_WALKABLE[m] === 1 && this.freeTarget(t) && t !== p.x * N + p.y;
    };
    const sides: number[] = [];
    for (let k = 0; k < 4; k++) {
      const nx = sx + DX[k];
      const ny = sy + DY[k];
      if (inside(nx, ny)) sides.push(nx * N + ny);
    }
    const need = sides.filter((t) => CREATURE_WALKABLE[this.senses.mat[t]] === 1);
    if (need.length === 0 || p.inventory[Item.stone] === 0 || this.t - this.plantSince > 80) {
      this.plantSite = -2; // protected (or as well as we can)
      return Action.noop;
    }
    this.activity = 'protecting the plant';
    const res = this.search(
      p,
      (x, y, f) => {
        const t = (x + DX[f]) * N + (y + DY[f]);
        return inside(x + DX[f], y + DY[f]) && need.includes(t) && open(t);
      },
      30,
    );
    if (!res.found) {
      this.plantSite = -2;
      return Action.noop;
    }
    return this.act(res, Action.place_stone);
  }

  /** The sapling just placed is walled in (or as well as the stones allowed). */
  private plantProtected(): boolean {
    return this.plantSite === -2 || this.plantSite === -1;
  }

  /** Low health: keep away from threats and rest until health comes back. */
  private recover(world: World, p: Player): number {
    this.activity = 'recovering';
    for (const o of this.senses.objects) {
      if (
        (o.kind === ObjectKind.zombie || o.kind === ObjectKind.skeleton) &&
        Math.abs(o.x - p.x) + Math.abs(o.y - p.y) <= 5
      ) {
        const a = this.flee(p);
        if (a !== null) return a;
      }
    }
    return this.idle(world, p);
  }

  /** Nothing to do: at night, rest in a shelter; otherwise wait. */
  private idle(world: World, p: Player): number {
    if (world.daylight < 0.35 && p.inventory[Item.energy] < 9) {
      const a = this.shelter(p, 25);
      if (a !== null) return a;
    }
    return Action.noop;
  }
}
