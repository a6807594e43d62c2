import { ACHIEVEMENTS, INVENTORY, ObjectKind, type Player, type World } from '@aikon/engine';
import type { EntityView, WorldMirror } from '@aikon/protocol/client';
import { craftOptions } from '../game/craft.ts';
import { OBJECT_STRIDE, type GameFrame, type PlayerView } from '../game/protocol.ts';

/** Extra facts a relay frame carries that the mirror does not know. */
export interface MirrorFrameExtras {
  tickRate: number;
  /** The host paused the lobby (no tick runs). */
  paused: boolean;
  tps: number;
  /** Achievement ids unlocked in the tick this frame shows (from the delta's `you.fresh`). */
  fresh: number[];
  /** The action the server applied for this client in that tick (noop when unknown). */
  myAction: number;
  /** Display names by slot (lobby members), for name tags. */
  names: Record<number, string>;
  /**
   * Where this client's body last stood: in a shared world a dead body leaves the map, but the
   * HUD and camera still need "me" (dead) to show the death screen in place.
   */
  lastPosition?: { x: number; y: number; facing: number } | null;
}

/**
 * The subset of World that `craftOptions` (and the engine's `nearby`) read: materials and
 * who stands where. Built from the mirror, so the HUD's craft panel works in multiplayer.
 */
function mirrorWorld(mirror: WorldMirror): World {
  let grid: Map<number, EntityView> | null = null;
  const view = {
    getMaterial: (x: number, y: number) => mirror.materialAt(x, y),
    objectAt: (x: number, y: number) => {
      if (!grid) {
        grid = new Map();
        for (const e of mirror.entities.values()) grid.set(e.x * mirror.size + e.y, e);
      }
      if (x < 0 || y < 0 || x >= mirror.size || y >= mirror.size) return null;
      return grid.get(x * mirror.size + y) ?? null;
    },
  };
  return view as unknown as World;
}

/**
 * Builds the client's GameFrame (what the store, HUD and scene read) from a relay
 * WorldMirror: every player's body, creatures, plants, arrows and tiles; the own
 * inventory, achievements and stats from the mirror's `self`.
 */
export function frameFromMirror(mirror: WorldMirror, extras: MirrorFrameExtras): GameFrame {
  const entities = [...mirror.entities.values()];
  let objectCount = 0;
  for (const e of entities) if (e.kind !== ObjectKind.player) objectCount++;
  const objects = new Int32Array(objectCount * OBJECT_STRIDE);
  let k = 0;
  for (const e of entities) {
    if (e.kind === ObjectKind.player) continue;
    objects[k++] = e.id;
    objects[k++] = e.kind;
    objects[k++] = e.x;
    objects[k++] = e.y;
    objects[k++] = e.health;
    objects[k++] = e.dir;
    objects[k++] = e.grown;
  }
  const self = mirror.self;
  const mySlot = mirror.slot;
  const players: PlayerView[] = mirror.players().map((e) => {
    const mine = e.slot === mySlot && self !== null && self.id === e.id;
    const inventory = mine && self.inv.length === INVENTORY.length ? [...self.inv] : othersInventory(e.health);
    return {
      slot: e.slot,
      id: e.id,
      x: e.x,
      y: e.y,
      facing: e.dir,
      sleeping: e.sleeping,
      dead: e.dead || (mine && self.dead),
      inventory,
      achievements:
        mine && self.ach.length === ACHIEVEMENTS.length
          ? [...self.ach]
          : new Array<number>(ACHIEVEMENTS.length).fill(0),
      newAchievements: mine ? [...extras.fresh] : [],
      episodeSteps: mine ? self.steps : 0,
      episodeReturn: mine ? self.ret : 0,
      action: mine ? extras.myAction : 0,
      ...(mine && self.prot ? { protection: self.prot } : {}),
    };
  });
  if (self && mySlot !== null && !players.some((p) => p.slot === mySlot)) {
    const at = extras.lastPosition ?? { x: 32, y: 32, facing: 3 };
    players.push({
      slot: mySlot,
      id: self.id,
      x: at.x,
      y: at.y,
      facing: at.facing,
      sleeping: false,
      dead: true,
      inventory: self.inv.length === INVENTORY.length ? [...self.inv] : othersInventory(0),
      achievements:
        self.ach.length === ACHIEVEMENTS.length ? [...self.ach] : new Array<number>(ACHIEVEMENTS.length).fill(0),
      newAchievements: [...extras.fresh],
      episodeSteps: self.steps,
      episodeReturn: self.ret,
      action: 0,
    });
    players.sort((a, b) => a.slot - b.slot);
  }
  const me = players.find((p) => p.slot === mySlot);
  let craft: GameFrame['craft'] = [];
  if (me && !me.dead) {
    const body = { x: me.x, y: me.y, facing: me.facing, inventory: me.inventory } as unknown as Player;
    craft = craftOptions(mirrorWorld(mirror), body);
  }
  return {
    seed: mirror.seed,
    t: mirror.t,
    daylight: mirror.daylight,
    over: false,
    material: mirror.material.slice(),
    objects,
    players,
    me: mySlot ?? -1,
    craft,
    tps: extras.tps,
    paused: extras.paused,
    tickRate: extras.tickRate,
    names: { ...extras.names },
  };
}

/** Other players' inventories are private: only their health (from the entity) is known. */
function othersInventory(health: number): number[] {
  const inv = new Array<number>(INVENTORY.length).fill(0);
  inv[0] = health;
  return inv;
}
