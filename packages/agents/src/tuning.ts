/**
 * The workforce's tuning table: every threshold the skills act on (day and night, health, food,
 * drink, energy, distances and patience), in one place. Crafter's vitals run from 0 to 9 and
 * its daylight from 0 (night) to 1. Distances are path costs of the A* search (one per move,
 * turn or dig) unless they say tiles (Manhattan distance).
 */

/** A need that starts at or below `start` and is met again at or above `stop`. */
export interface Hysteresis {
  readonly start: number;
  readonly stop: number;
}

export interface WorkforceTuning {
  readonly daylight: {
    /** Below this it is night: zombies spawn on grass in the dark (§12), workers shelter. */
    readonly night: number;
    /** A worker with nothing to do rests in a shelter below this daylight (a little before night). */
    readonly restInShelter: number;
    /** A tired worker that found no shelter sleeps in the open above this daylight. */
    readonly sleepInOpen: number;
    /** A worker on a `sleep` task that found no shelter sleeps in the open above this daylight. */
    readonly sleepTaskInOpen: number;
    /** The daylight nap for `wake_up` is taken only above this daylight. */
    readonly nap: number;
  };
  readonly vitals: {
    readonly drink: Hysteresis;
    readonly food: Hysteresis;
    /** Sleep when energy falls to `start` (to `nightStart` at night); wake the need at `stop`. */
    readonly energy: Hysteresis & { readonly nightStart: number };
    /** Rest walled in when health falls to `start` until it is back at `stop`. */
    readonly health: Hysteresis;
    /**
     * Healing and sheltering for the night need drink and food above this: a worker low on
     * both goes out to drink and eat instead.
     */
    readonly floor: number;
    /**
     * Energy this low overrides thirst and hunger (sleep now) unless drink or food is this
     * low too; energy this low also sleeps in the open whatever the daylight.
     */
    readonly critical: number;
    /** Crafter's maximum of every vital (a full bar: stop resting, sleeping). */
    readonly full: number;
  };
  /** Top-ups on the way (the worker is not in need yet but food or water is close). */
  readonly opportunities: {
    /** Drink from the water tile faced at or below this drink. */
    readonly drinkFaced: number;
    /** Hit the cow faced at or below this food. */
    readonly eatFaced: number;
    /** Walk to a cow within `reach` at or below this food (daylight only). */
    readonly eatNear: number;
    /** Walk to water within `reach` at or below this drink. */
    readonly drinkNear: number;
    /** Path cost within which food and water count as close. */
    readonly reach: number;
  };
  /** The daylight nap for `wake_up`: only while no zombie is this close (tiles) and health is at least `health`. */
  readonly nap: { readonly zombieDistance: number; readonly health: number; readonly skeletonRange: number };
  readonly threats: {
    /** Arrows within this many tiles, flying at the worker, are side-stepped. */
    readonly dodgeArrow: number;
    /** With the 'cautious' night policy: shelter when a zombie is this close (tiles)… */
    readonly nightZombie: number;
    /** …or when health is at or below this. */
    readonly nightHealth: number;
    /** A hunter at or below `vitals.health.start` keeps away from threats within this many tiles. */
    readonly fleeRadius: number;
    /** Path finding: creatures within this many tiles block their tile. */
    readonly blockRadius: number;
    /** Path finding: a skeleton's lines of fire are avoided within this many tiles of it… */
    readonly skeletonRadius: number;
    /** …an arrow's flight line within this many tiles… */
    readonly arrowRadius: number;
    /** …and the tiles next to a zombie within this many tiles. */
    readonly zombieRadius: number;
    /** Length (tiles) of a line of fire that path finding avoids. */
    readonly fireLine: number;
    /** Extra path cost of a tile in a skeleton's line of fire, in an arrow's line, next to a zombie. */
    readonly cost: { readonly skeletonLine: number; readonly arrowLine: number; readonly zombieSide: number };
  };
  readonly shelter: {
    /** Path cost within which a shelter is sought for the night or for sleep. */
    readonly reach: number;
    /** … when health is low. */
    readonly healReach: number;
    /** … on a `survive` task. */
    readonly surviveReach: number;
    /** … when idle (resting before night). */
    readonly restReach: number;
    /** An existing shelter farther than this is passed over for walls built here, when fewer actions. */
    readonly walkInstead: number;
    /** Ticks before a worker that found no shelter looks again. */
    readonly retryAfter: number;
  };
  readonly craft: {
    /** Path cost within which an existing station is used; beyond it one is built if the inventory allows. */
    readonly stationReach: number;
    /** Ticks before building a missing station is tried again after it was not possible. */
    readonly stationRetry: number;
    /** Path cost within which a placement next to the wanted stations is sought. */
    readonly placeNearReach: number;
    /** Ticks before a placement next to stations is tried again after it failed. */
    readonly placeNearRetry: number;
    /** Path cost within which a sheltered tile is sought for a sapling. */
    readonly plantReach: number;
    /** Path cost within which a sapling's open sides are walled in. */
    readonly protectReach: number;
    /** Ticks after planting after which walling the sapling in is given up. */
    readonly protectFor: number;
  };
  readonly gather: {
    /** Hunting for a ripe plant: walk until within `waitNear` tiles of it when farther than `goNear`. */
    readonly plantGoNear: number;
    readonly plantWaitNear: number;
    /** A search for a material that found nothing is not repeated before the map grew by this many tiles… */
    readonly retryKnownTiles: number;
    /** …or before this many ticks passed. */
    readonly retryTicks: number;
  };
  readonly navigation: {
    /** Steps a worker keeps to a route before searching again. */
    readonly routeCommit: number;
    /** Ticks without any change (position, facing, inventory) after which the target is banned… */
    readonly stuckTicks: number;
    /** …for this many ticks. */
    readonly banTicks: number;
    /** An exploration target not reached within this many ticks is dropped. */
    readonly exploreFor: number;
    /** An unreachable exploration target is banned for this many ticks. */
    readonly exploreBan: number;
    /** A preferred frontier is searched again only once the map has grown by this many tiles. */
    readonly frontierRegrowth: number;
  };
}

export const TUNING: WorkforceTuning = {
  daylight: { night: 0.3, restInShelter: 0.35, sleepInOpen: 0.4, sleepTaskInOpen: 0.5, nap: 0.7 },
  vitals: {
    drink: { start: 3, stop: 9 },
    food: { start: 3, stop: 8 },
    energy: { start: 2, nightStart: 5, stop: 9 },
    health: { start: 4, stop: 8 },
    floor: 2,
    critical: 1,
    full: 9,
  },
  opportunities: { drinkFaced: 7, eatFaced: 6, eatNear: 5, drinkNear: 5, reach: 8 },
  nap: { zombieDistance: 10, health: 5, skeletonRange: 6 },
  threats: {
    dodgeArrow: 4,
    nightZombie: 6,
    nightHealth: 5,
    fleeRadius: 5,
    blockRadius: 3,
    skeletonRadius: 12,
    arrowRadius: 8,
    zombieRadius: 10,
    fireLine: 5,
    cost: { skeletonLine: 2, arrowLine: 3, zombieSide: 3 },
  },
  shelter: { reach: 40, healReach: 50, surviveReach: 60, restReach: 25, walkInstead: 6, retryAfter: 20 },
  craft: {
    stationReach: 40,
    stationRetry: 30,
    placeNearReach: 60,
    placeNearRetry: 50,
    plantReach: 25,
    protectReach: 30,
    protectFor: 80,
  },
  gather: { plantGoNear: 6, plantWaitNear: 5, retryKnownTiles: 20, retryTicks: 15 },
  navigation: { routeCommit: 10, stuckTicks: 12, banTicks: 150, exploreFor: 80, exploreBan: 500, frontierRegrowth: 30 },
};
