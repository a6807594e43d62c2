/**
 * Explore/path: the worker's terrain for A* (what it may walk or dig through, creatures and lines
 * of fire to avoid), searches that keep to a route for a few steps, facing a target tile,
 * exploring the unknown (fair sense), and the guard every action passes (no step onto lava;
 * a worker stuck on a target bans it for a while).
 */
import {
  Action,
  ARROW_FREE,
  DIRECTIONS,
  Item,
  Material,
  type MaterialName,
  ObjectKind,
  type Player,
  WORLD_SIZE,
} from '@aikon/engine';
import {
  PASS_BLOCKED,
  PASS_DEADLY,
  PASS_DIG,
  PASS_WALK,
  Pathfinder,
  type SearchResult,
  type Terrain,
} from '../pathfind.ts';
import type { WorkerState } from './worker.ts';

export const N = WORLD_SIZE;
export const DX = DIRECTIONS.map((d) => d[0]);
export const DY = DIRECTIONS.map((d) => d[1]);
export const OPPOSITE = [1, 0, 3, 2];

/**
 * Whether `action` moves a player at (x, y) onto lava, by `material` (a worker's senses, or the
 * world itself where a learned policy acts outside the executor: the tile next to the player is
 * always in the fair view, so both see the same).
 */
export function stepsOntoLava(
  material: (x: number, y: number) => number,
  x: number,
  y: number,
  action: number,
): boolean {
  if (action < Action.move_left || action > Action.move_down) return false;
  const d = action - Action.move_left;
  return material(x + DX[d], y + DY[d]) === M.lava;
}
const M = Material;

export function inside(x: number, y: number): boolean {
  return x >= 0 && y >= 0 && x < N && y < N;
}

/** Goes toward the state a search found, then performs `finalAction` there. */
export function approach(res: SearchResult, finalAction: number): number {
  return res.steps === 0 ? finalAction : res.action;
}

/** The tile a worker standing at (x, y) facing `f` faces, or -1 off the map. */
function facedTile(x: number, y: number, f: number): number {
  const tx = x + DX[f];
  const ty = y + DY[f];
  return inside(tx, ty) ? tx * N + ty : -1;
}

export class Navigator {
  readonly terrain: Terrain;
  readonly pass = new Uint8Array(16);
  readonly blocked = new Uint8Array(N * N);
  private readonly extra = new Uint8Array(N * N);
  private readonly marked: number[] = [];
  /** The tile the worker is heading for (stuck detection bans it). */
  lastTarget = -1;
  exploreTarget = -1;
  private exploreSince = 0;
  private preferFailedAt = -1;
  private readonly banned = new Map<number, number>();
  private lastKey = '';
  private stuck = 0;
  private route: { key: string; path: number[]; idx: number; until: number } | null = null;

  constructor(
    private readonly s: WorkerState,
    readonly pf: Pathfinder = new Pathfinder(),
  ) {
    this.terrain = { mat: s.senses.mat, blocked: this.blocked, pass: this.pass, extra: this.extra };
  }

  /** A new task: no exploration target, no count of stuck ticks. */
  reset(): void {
    this.exploreTarget = -1;
    this.stuck = 0;
  }

  /** Forgets the route being followed (a queued plan takes over). */
  dropRoute(): void {
    this.route = null;
  }

  /** Detects a worker that keeps acting without any change and bans its target for a while. */
  guard(p: Player, action: number): number {
    const s = this.s;
    // Last line of defence: never step onto lava, whatever a stale script or route says.
    if (stepsOntoLava((x, y) => s.senses.material(x, y), p.x, p.y, action)) {
      s.script.length = 0;
      this.route = null;
      return Action.noop;
    }
    const key = `${p.x},${p.y},${p.facing},${p.inventory.join(',')}`;
    if (key === this.lastKey && action !== Action.noop && action !== Action.sleep) {
      if (++this.stuck > s.tuning.navigation.stuckTicks && this.lastTarget >= 0) {
        this.banned.set(this.lastTarget, s.t + s.tuning.navigation.banTicks);
        this.stuck = 0;
        this.exploreTarget = -1;
      }
    } else this.stuck = 0;
    this.lastKey = key;
    return action;
  }

  isBanned(tile: number): boolean {
    const until = this.banned.get(tile);
    if (until === undefined) return false;
    if (until < this.s.t) {
      this.banned.delete(tile);
      return false;
    }
    return true;
  }

  prepareTerrain(p: Player): void {
    const inv = p.inventory;
    const pass = this.pass;
    const th = this.s.tuning.threats;
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
    for (const o of this.s.senses.objects) {
      const i = o.x * N + o.y;
      const d = Math.abs(o.x - p.x) + Math.abs(o.y - p.y);
      if (o.kind === ObjectKind.plant || d <= th.blockRadius) {
        this.blocked[i] = 1;
        this.marked.push(i);
      }
      if (o.kind === ObjectKind.skeleton && d <= th.skeletonRadius) {
        // Its lines of fire (arrows fly straight along one axis, §10.4).
        for (let k = 0; k < 4; k++) this.markLine(o.x, o.y, k, th.fireLine, th.cost.skeletonLine);
      } else if (o.kind === ObjectKind.arrow && d <= th.arrowRadius) {
        this.markLine(o.x, o.y, o.dir, th.fireLine, th.cost.arrowLine);
      }
      if (o.kind === ObjectKind.zombie && d <= th.zombieRadius) {
        for (let k = 0; k < 4; k++) {
          const nx = o.x + DX[k];
          const ny = o.y + DY[k];
          if (!inside(nx, ny)) continue;
          const j = nx * N + ny;
          this.extra[j] = th.cost.zombieSide;
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
      if (ARROW_FREE[this.s.senses.mat[j]] !== 1) return;
      if (this.extra[j] < cost) this.extra[j] = cost;
      this.marked.push(j);
    }
  }

  /** A* from the worker's state; with a `key`, keeps to the last route of that key while it holds. */
  search(
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
      this.route = { key, path: res.path, idx: 0, until: this.s.t + this.s.tuning.navigation.routeCommit };
    else if (key !== undefined) this.route = null;
    return res;
  }

  /**
   * Keeps following the last route for a few steps while it stays valid (its goal still
   * holds and its next step is still possible): steadier than re-planning every tick, and cheaper.
   */
  private followRoute(p: Player, key: string, goal: (x: number, y: number, f: number) => boolean): SearchResult | null {
    const route = this.route;
    if (!route || route.key !== key || this.s.t >= route.until) return null;
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
    const pass = open ? this.pass[this.s.senses.mat[nx * N + ny]] : PASS_BLOCKED;
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
  seekFacing(
    p: Player,
    pred: (tile: number) => boolean,
    maxCost?: number,
    key?: string,
  ): SearchResult & { target: number } {
    const s = this.s;
    const res = this.search(
      p,
      (x, y, f) => {
        const t = facedTile(x, y, f);
        return t >= 0 && pred(t) && !this.isBanned(t) && !s.coordination.reservedByOther(t, s.slot);
      },
      maxCost,
      undefined,
      key,
    );
    const target = res.found ? facedTile(res.x, res.y, res.facing) : -1;
    if (target >= 0) this.claim(target);
    return { ...res, target };
  }

  /** Reserves a target tile and makes it the one stuck detection watches. */
  claim(target: number): void {
    this.s.coordination.reserve(target, this.s.slot);
    this.lastTarget = target;
  }

  /** Whether every one of `stations` is within reach (the 3×3 around (x, y)). */
  stationsNear(x: number, y: number, stations: readonly MaterialName[]): boolean {
    if (x <= 0 || y <= 0) return false; // the crafting quirk (§8.8)
    outer: for (const st of stations) {
      const id = M[st];
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          if (this.s.senses.material(x + dx, y + dy) === id) continue outer;
        }
      }
      return false;
    }
    return true;
  }

  /** No creature (or plant) on tile `t`. */
  freeTarget(t: number): boolean {
    return this.blocked[t] === 0 && this.s.senses.objectAt((t / N) | 0, t % N) === null;
  }

  /** A known tile the worker can step onto now. */
  walkable(x: number, y: number): boolean {
    if (!inside(x, y)) return false;
    const i = x * N + y;
    return this.pass[this.s.senses.mat[i]] === PASS_WALK && this.s.senses.mat[i] !== 0 && this.freeTarget(i);
  }

  /** Heads for unknown tiles (fair sense), preferring those next to tiles `near` accepts. */
  explore(p: Player, near?: (material: number) => boolean): number | null {
    const s = this.s;
    const nav = s.tuning.navigation;
    if (s.senses.sense === 'privileged') return null;
    const mat = s.senses.mat;
    if (this.exploreTarget >= 0 && (mat[this.exploreTarget] !== 0 || s.t - this.exploreSince > nav.exploreFor))
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
        this.exploreSince = s.t;
        return true;
      };
      // The preferred frontier is searched again only once the map has grown.
      const tryPref = near !== undefined && s.senses.knownTiles >= this.preferFailedAt + nav.frontierRegrowth;
      if (tryPref && pick(true)) {
        // found a preferred frontier tile
      } else {
        if (tryPref) this.preferFailedAt = s.senses.knownTiles;
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
      this.banned.set(this.exploreTarget, s.t + nav.exploreBan);
      this.exploreTarget = -1;
      return null;
    }
    s.activity = 'exploring';
    return res.action;
  }
}
