/**
 * A* over the worker's state (x, y, facing) on the 64×64 map it knows.
 *
 * Facing is part of the state because every Crafter interaction acts on the faced tile, and
 * a move into a blocked tile only turns the player (§8.3). Transitions, one per move action:
 *   walk  — the next tile is enterable: move there (cost 1);
 *   dig   — the next tile is a material the worker can collect and that leaves a walkable
 *           tile (tree, stone, ores with the right pickaxe): `do` then move (cost 2, +1 to turn);
 *   turn  — the next tile is blocked: the move only turns the worker (cost 1).
 * Goals are predicates on states, so "stand next to a tree facing it", "stand where a table
 * and a furnace are both within reach" and "face this tile" are all the same search.
 */
import { Action, WORLD_SIZE } from '@aikon/engine';

const N = WORLD_SIZE;
const STATES = N * N * 4;
const DX = [-1, 1, 0, 0];
const DY = [0, 0, -1, 1];

/** How a worker may enter each material: 0 never (a move only turns), 1 walk, 2 dig through, 3 deadly. */
export const PASS_BLOCKED = 0;
export const PASS_WALK = 1;
export const PASS_DIG = 2;
/** Never move toward it at all (lava: a move would enter it, not turn). */
export const PASS_DEADLY = 3;

export interface Terrain {
  /** Material id per tile (x * 64 + y); 0 = unknown. */
  readonly mat: Uint8Array;
  /** Non-zero where an object blocks the tile. */
  readonly blocked: Uint8Array;
  /** Per material id: PASS_BLOCKED, PASS_WALK or PASS_DIG. */
  readonly pass: Uint8Array;
  /** Optional extra cost of entering each tile (danger), 0 if none. */
  readonly extra?: Uint8Array;
}

export interface SearchOptions {
  goal: (x: number, y: number, facing: number) => boolean;
  /** Admissible estimate of the remaining cost from a tile (default 0: Dijkstra). */
  heuristic?: (x: number, y: number) => number;
  /** Stop after expanding this many states (the search budget). */
  maxExpansions?: number;
  /** Ignore paths that cost more than this. */
  maxCost?: number;
}

export interface SearchResult {
  found: boolean;
  x: number;
  y: number;
  facing: number;
  cost: number;
  /** The action that starts the path (noop when the start is a goal). */
  action: number;
  /** Number of actions along the path. */
  steps: number;
  /** The states (x * 64 + y) * 4 + facing from the start to the goal (empty when not found). */
  path: number[];
  expansions: number;
}

/** Reusable A* workspace (one per worker, or shared by workers on one thread). */
export class Pathfinder {
  private readonly g = new Int32Array(STATES);
  private readonly stamp = new Int32Array(STATES);
  private readonly closed = new Int32Array(STATES);
  private readonly parent = new Int32Array(STATES);
  /** The transition that reached a state: dir | kind << 2. */
  private readonly via = new Uint8Array(STATES);
  private heap = new Float64Array(1 << 15);
  private size = 0;
  private gen = 0;
  /** Total expansions over the lifetime (for benchmarks). */
  totalExpansions = 0;
  searches = 0;

  search(terrain: Terrain, sx: number, sy: number, sf: number, options: SearchOptions): SearchResult {
    this.searches++;
    const gen = ++this.gen;
    if (gen >= 0x7fffffff) {
      this.stamp.fill(0);
      this.closed.fill(0);
      this.gen = 1;
    }
    const { goal, heuristic } = options;
    const maxExpansions = options.maxExpansions ?? STATES;
    const maxCost = options.maxCost ?? 1 << 20;
    const { mat, blocked, pass, extra } = terrain;
    const g = this.g;
    const stamp = this.stamp;
    const closed = this.closed;
    const parent = this.parent;
    const via = this.via;
    this.size = 0;
    const start = ((sx * N + sy) << 2) | sf;
    stamp[start] = gen;
    g[start] = 0;
    parent[start] = -1;
    this.push((heuristic ? heuristic(sx, sy) : 0) * 65536 + start);
    let expansions = 0;
    while (this.size > 0) {
      const key = this.pop();
      const s = key % 65536;
      if (closed[s] === this.gen) continue;
      closed[s] = this.gen;
      const f = s & 3;
      const tile = s >> 2;
      const x = (tile / N) | 0;
      const y = tile - x * N;
      if (goal(x, y, f)) return this.result(s, start, expansions);
      if (++expansions > maxExpansions) break;
      const gs = g[s];
      for (let d = 0; d < 4; d++) {
        const nx = x + DX[d];
        const ny = y + DY[d];
        let next: number;
        let cost: number;
        let kind: number;
        const inside = nx >= 0 && ny >= 0 && nx < N && ny < N;
        const ni = nx * N + ny;
        const p = inside && blocked[ni] === 0 ? pass[mat[ni]] : PASS_BLOCKED;
        if (p === PASS_WALK) {
          next = (ni << 2) | d;
          cost = 1 + (extra ? extra[ni] : 0);
          kind = 0;
        } else if (p === PASS_DIG) {
          next = (ni << 2) | d;
          cost = (f === d ? 2 : 3) + (extra ? extra[ni] : 0);
          kind = 1;
        } else if (p === PASS_DEADLY) {
          continue;
        } else {
          if (f === d) continue;
          next = (tile << 2) | d;
          cost = 1;
          kind = 2;
        }
        const ng = gs + cost;
        if (ng > maxCost) continue;
        if (stamp[next] === gen) {
          if (closed[next] === gen || g[next] <= ng) continue;
        }
        stamp[next] = gen;
        g[next] = ng;
        parent[next] = s;
        via[next] = d | (kind << 2);
        let h = 0;
        if (heuristic) {
          const nt = next >> 2;
          const hx = (nt / N) | 0;
          h = heuristic(hx, nt - hx * N);
        }
        this.push((ng + h) * 65536 + next);
      }
    }
    this.totalExpansions += expansions;
    return {
      found: false,
      x: sx,
      y: sy,
      facing: sf,
      cost: Infinity,
      action: Action.noop,
      steps: 0,
      path: [],
      expansions,
    };
  }

  private result(goalState: number, start: number, expansions: number): SearchResult {
    this.totalExpansions += expansions;
    let s = goalState;
    let steps = 0;
    let first = -1;
    let firstFrom = start;
    const path = [goalState];
    while (s !== start) {
      const v = this.via[s];
      const from = this.parent[s];
      steps += v >> 2 === 1 ? ((from & 3) === (v & 3) ? 2 : 3) : 1;
      first = s;
      firstFrom = from;
      s = from;
      path.push(s);
    }
    path.reverse();
    let action: number = Action.noop;
    if (first >= 0) {
      const v = this.via[first];
      const d = v & 3;
      const kind = v >> 2;
      if (kind === 1 && (firstFrom & 3) === d) action = Action.do;
      else action = Action.move_left + d;
    }
    const tile = goalState >> 2;
    return {
      found: true,
      x: (tile / N) | 0,
      y: tile % N,
      facing: goalState & 3,
      cost: this.g[goalState],
      action,
      steps,
      path,
      expansions,
    };
  }

  private push(key: number): void {
    if (this.size >= this.heap.length) {
      const bigger = new Float64Array(this.heap.length * 2);
      bigger.set(this.heap);
      this.heap = bigger;
    }
    const heap = this.heap;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p] <= key) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = key;
  }

  private pop(): number {
    const heap = this.heap;
    const top = heap[0];
    const last = heap[--this.size];
    let i = 0;
    const n = this.size;
    while (true) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heap[c + 1] < heap[c]) c++;
      if (heap[c] >= last) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = last;
    return top;
  }
}
