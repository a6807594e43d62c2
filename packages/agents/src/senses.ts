/**
 * What a worker knows about the world.
 *
 * - privileged: reads the whole World state every step (map, every object, plant growth).
 * - fair: sees only its 9×7 local view (the tiles and objects inside the window Crafter
 *   renders, §15.2) and keeps a memory map of everything it has seen; plants it has seen
 *   are remembered with an estimate of their growth, creatures only while in view (cows a
 *   little longer, as they move slowly).
 */
import {
  CREATURE_HEALTH,
  ObjectKind,
  PLANT_RIPE_AFTER,
  type Player,
  UPDATE_RADIUS,
  VIEW_COLS,
  VIEW_ROWS,
  type World,
  WORLD_SIZE,
} from '@aikon/engine';

export type Sense = 'privileged' | 'fair';

const N = WORLD_SIZE;
const HALF_W = (VIEW_COLS - 1) / 2; // 4
const HALF_H = (VIEW_ROWS - 1) / 2; // 3
const COW_MEMORY = 150;
const FULL_HEALTH: Record<number, number> = {
  [ObjectKind.cow]: CREATURE_HEALTH.cow,
  [ObjectKind.zombie]: CREATURE_HEALTH.zombie,
  [ObjectKind.skeleton]: CREATURE_HEALTH.skeleton,
};

export interface SeenObject {
  id: number;
  kind: number;
  x: number;
  y: number;
  health: number;
  /** Flight direction of arrows (index into DIRECTIONS). */
  dir: number;
  /** Step at which it was last seen. */
  seenAt: number;
}

export interface PlantMemory {
  x: number;
  y: number;
  /** Growth (exact when privileged, estimated from steps spent within the update radius when fair). */
  grown: number;
  /** Step the worker last confirmed it exists. */
  seenAt: number;
}

export class Senses {
  readonly sense: Sense;
  /** Material per tile, 0 = never seen. */
  readonly mat = new Uint8Array(N * N);
  /** Step at which each tile was last seen (-1 never); fair sense only. */
  readonly seenAt = new Int32Array(N * N).fill(-1);
  /** Objects currently known (everything for privileged, the view plus recent cows for fair). */
  objects: SeenObject[] = [];
  readonly plants = new Map<number, PlantMemory>();
  /** Number of tiles ever seen. */
  knownTiles = 0;
  t = 0;
  private readonly objGrid: (SeenObject | null)[] = new Array(N * N).fill(null);
  private readonly cows = new Map<number, SeenObject>();

  constructor(sense: Sense) {
    this.sense = sense;
  }

  known(x: number, y: number): boolean {
    return x >= 0 && y >= 0 && x < N && y < N && this.mat[x * N + y] !== 0;
  }

  material(x: number, y: number): number {
    return x >= 0 && y >= 0 && x < N && y < N ? this.mat[x * N + y] : 0;
  }

  objectAt(x: number, y: number): SeenObject | null {
    return x >= 0 && y >= 0 && x < N && y < N ? this.objGrid[x * N + y] : null;
  }

  /** Whether (x, y) lies inside the worker's current 9×7 view. */
  static inView(p: { x: number; y: number }, x: number, y: number): boolean {
    return Math.abs(x - p.x) <= HALF_W && Math.abs(y - p.y) <= HALF_H;
  }

  update(world: World, self: Player): void {
    this.t = world.t;
    for (const o of this.objects) this.objGrid[o.x * N + o.y] = null;
    this.objects = [];
    if (this.sense === 'privileged') this.updatePrivileged(world, self);
    else this.updateFair(world, self);
    for (const o of this.objects) this.objGrid[o.x * N + o.y] = o;
  }

  private add(o: { id: number; kind: number; x: number; y: number; health: number; dir: number }): SeenObject {
    // A fair worker cannot read a creature's health from pixels: it assumes full health.
    const health = this.sense === 'fair' ? (FULL_HEALTH[o.kind] ?? o.health) : o.health;
    const seen = { id: o.id, kind: o.kind, x: o.x, y: o.y, health, dir: o.dir, seenAt: this.t };
    this.objects.push(seen);
    return seen;
  }

  private updatePrivileged(world: World, self: Player): void {
    this.mat.set(world.material);
    this.knownTiles = N * N;
    for (const p of world.players) if (p !== self && !p.removed) this.add(p);
    const alive = new Set<number>();
    for (const o of world.objects) {
      if (o.removed) continue;
      this.add(o);
      if (o.kind === ObjectKind.plant) {
        const key = o.x * N + o.y;
        alive.add(key);
        const mem = this.plants.get(key);
        if (mem) {
          mem.grown = o.grown;
          mem.seenAt = this.t;
        } else this.plants.set(key, { x: o.x, y: o.y, grown: o.grown, seenAt: this.t });
      }
    }
    for (const key of this.plants.keys()) if (!alive.has(key)) this.plants.delete(key);
  }

  private updateFair(world: World, self: Player): void {
    const px = self.x;
    const py = self.y;
    const mat = this.mat;
    for (let x = px - HALF_W; x <= px + HALF_W; x++) {
      if (x < 0 || x >= N) continue;
      for (let y = py - HALF_H; y <= py + HALF_H; y++) {
        if (y < 0 || y >= N) continue;
        const i = x * N + y;
        if (mat[i] === 0) this.knownTiles++;
        mat[i] = world.material[i];
        this.seenAt[i] = this.t;
        const o = world.grid[i];
        if (o && o !== self) {
          if (o.kind === ObjectKind.plant) {
            const mem = this.plants.get(i);
            // The ripe sprite differs from the sapling sprite (§15.3): ripeness is visible.
            const ripe = o.grown > PLANT_RIPE_AFTER;
            if (mem) {
              mem.seenAt = this.t;
              mem.grown = ripe
                ? Math.max(mem.grown + 1, PLANT_RIPE_AFTER + 1)
                : Math.min(mem.grown + 1, PLANT_RIPE_AFTER);
            } else this.plants.set(i, { x, y, grown: ripe ? PLANT_RIPE_AFTER + 1 : 0, seenAt: this.t });
          }
          const seen = this.add(o);
          if (o.kind === ObjectKind.cow) this.cows.set(o.id, seen);
        } else if (this.plants.has(i)) {
          this.plants.delete(i);
        }
      }
    }
    // Plants grow while the worker is within the update radius; fair workers count that.
    for (const mem of this.plants.values()) {
      if (mem.seenAt !== this.t && Math.abs(mem.x - px) + Math.abs(mem.y - py) < UPDATE_RADIUS) mem.grown++;
    }
    // Cows out of view are remembered a little while where they were last seen.
    for (const [id, cow] of this.cows) {
      if (cow.seenAt === this.t) continue;
      if (this.t - cow.seenAt > COW_MEMORY || Senses.inView(self, cow.x, cow.y)) {
        this.cows.delete(id);
        continue;
      }
      if (this.objGrid[cow.x * N + cow.y] === null && !this.objects.some((o) => o.x === cow.x && o.y === cow.y))
        this.objects.push(cow);
    }
  }

  /**
   * Takes in what a teammate has seen more recently (fair workers of one team share their
   * maps through the commander: they see only their own windows, but they talk).
   */
  merge(other: Senses): void {
    const mine = this.seenAt;
    const theirs = other.seenAt;
    for (let i = 0; i < mine.length; i++) {
      if (theirs[i] > mine[i]) {
        if (this.mat[i] === 0) this.knownTiles++;
        this.mat[i] = other.mat[i];
        mine[i] = theirs[i];
      }
    }
    for (const [key, plant] of other.plants) {
      const own = this.plants.get(key);
      if (!own || plant.seenAt > own.seenAt)
        this.plants.set(key, { ...plant, grown: Math.max(plant.grown, own?.grown ?? 0) });
    }
  }

  /** Registers a plant this worker has just placed. */
  notePlant(x: number, y: number): void {
    this.plants.set(x * N + y, { x, y, grown: 0, seenAt: this.t });
  }
}
