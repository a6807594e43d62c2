import { ACHIEVEMENTS, Direction, INITIAL_INVENTORY, NUM_ACHIEVEMENTS, ObjectKind } from './constants.ts';

/**
 * Everything that stands on a tile: players, cows, zombies, skeletons, arrows, plants (§1).
 * One class with every kind's fields keeps the object pass monomorphic and fast.
 */
export class Entity {
  /** Unique per world, increasing in creation order; stable across snapshots. */
  readonly id: number;
  readonly kind: number;
  x: number;
  y: number;
  /** Creatures and plants; a player's health lives in its inventory. */
  health: number;
  /** Set when the entity left the map; it may still finish its current update (§10.1 quirk). */
  removed = false;
  /** Zombie attack cooldown. */
  cooldown = 0;
  /** Skeleton reload counter. */
  reload = 0;
  /** Arrow flight direction, index into DIRECTIONS. */
  dir = 0;
  /** Plant growth counter. */
  grown = 0;

  constructor(id: number, kind: number, x: number, y: number, health: number) {
    this.id = id;
    this.kind = kind;
    this.x = x;
    this.y = y;
    this.health = health;
  }
}

/** Per-player state of §8.1 and the per-player episode bookkeeping of §18. */
export class Player extends Entity {
  readonly slot: number;
  facing: number = Direction.down;
  readonly inventory = Int32Array.from(INITIAL_INVENTORY);
  /** Achievement counters of the current episode (§4). */
  readonly achievements = new Int32Array(NUM_ACHIEVEMENTS);
  /** Achievements already rewarded in this episode (the "unlocked" set of §7.3). */
  readonly unlocked = new Uint8Array(NUM_ACHIEVEMENTS);
  sleeping = false;
  hunger = 0;
  thirst = 0;
  fatigue = 0;
  recover = 0;
  /** Health at the end of the previous player update (wake on hurt, §8.2 step 7). */
  prevHealth = 9;
  /** Health at the end of the previous step (reward, §7.3). */
  lastHealth = 9;
  /** The action this player took in the last step. */
  action = 0;
  /** Reward of the last step. */
  reward = 0;
  /** Achievements that unlocked (first time this episode) in the last step. */
  newAchievements: number[] = [];
  /** Health reached 0: the episode ended by death (discount 0). */
  dead = false;
  /** The episode ended by the step limit. */
  truncated = false;
  /** Steps taken in the current episode. */
  episodeSteps = 0;
  episodeReturn = 0;
  /** Counts episodes this slot has started (1 for the first). */
  episode = 1;
  /**
   * Steps left in which nothing damages this player (worlds with spawn protection; 0 otherwise).
   * PROTECTION_HELD (0xffff) does not count down.
   */
  protection = 0;
  /** Steps of the current episode taken under protection (datasets report them). */
  protectedSteps = 0;

  constructor(id: number, slot: number, x: number, y: number) {
    super(id, ObjectKind.player, x, y, 0);
    this.slot = slot;
  }

  get done(): boolean {
    return this.dead || this.truncated;
  }

  /** Names of every achievement unlocked in this episode. */
  unlockedNames(): string[] {
    const names: string[] = [];
    for (let i = 0; i < NUM_ACHIEVEMENTS; i++) if (this.achievements[i] > 0) names.push(ACHIEVEMENTS[i]);
    return names;
  }

  /** Starts a fresh episode for this body (respawn): start inventory, vitals and counters. */
  resetEpisode(): void {
    this.inventory.set(INITIAL_INVENTORY);
    this.achievements.fill(0);
    this.unlocked.fill(0);
    this.facing = Direction.down;
    this.sleeping = false;
    this.hunger = this.thirst = this.fatigue = this.recover = 0;
    this.prevHealth = this.lastHealth = this.inventory[0];
    this.action = 0;
    this.reward = 0;
    this.newAchievements = [];
    this.dead = false;
    this.truncated = false;
    this.episodeSteps = 0;
    this.episodeReturn = 0;
    this.removed = false;
  }
}
