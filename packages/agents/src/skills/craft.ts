/**
 * Craft and place: `make` tasks (walk to the stations a recipe needs, or build the missing ones
 * when the inventory spares their cost) and `place` tasks (a tile the rule accepts, next to the
 * wanted stations; a sapling on a sheltered tile, then walled in with stone so that cows and
 * zombies cannot trample it).
 */
import {
  Action,
  CREATURE_WALKABLE,
  Item,
  type ItemName,
  Material,
  type MaterialName,
  ObjectKind,
  type Player,
} from '@aikon/engine';
import type { SearchResult } from '../pathfind.ts';
import { Senses } from '../senses.ts';
import { makeRule, placeRule } from '../techtree.ts';
import { approach, DX, DY, inside, N, type Navigator } from './navigate.ts';
import { type Skill, type SkillTick, scripted } from './skill.ts';
import type { WorkerState } from './worker.ts';

const M = Material;

export class Craft {
  /** `make` and `place` tasks. */
  readonly task: Skill = scripted('craft', (tick) => this.runTask(tick));
  /** The sapling being protected: its tile; -1 none, -2 walled in (or as well as the stones allowed). */
  private plantSite = -1;
  private plantSince = 0;
  private noStationPlaceUntil = 0;
  private nearFailedUntil = 0;

  constructor(
    private readonly s: WorkerState,
    private readonly nav: Navigator,
  ) {}

  /** A new task: no sapling being protected. */
  reset(): void {
    this.plantSite = -1;
  }

  /** The sapling just placed is walled in (or as well as the stones allowed). */
  plantProtected(): boolean {
    return this.plantSite === -2 || this.plantSite === -1;
  }

  private runTask({ p, task }: SkillTick): number | null {
    const s = this.s;
    const inv = p.inventory;
    if (task?.kind === 'make') {
      const rule = makeRule(task.item);
      if (!rule) return s.fail(`no recipe for ${task.item}`);
      for (const [item, n] of Object.entries(rule.cost)) {
        if (inv[Item[item as ItemName]] < (n as number)) return s.fail(`missing ${item}`);
      }
      s.activity = `making ${task.item}`;
      const res = this.nav.search(
        p,
        (x, y) => this.nav.stationsNear(x, y, rule.nearby),
        undefined,
        undefined,
        `make:${task.item}`,
      );
      const { stationReach, stationRetry } = s.tuning.craft;
      if (res.found && (res.cost <= stationReach || s.t < this.noStationPlaceUntil))
        return approach(res, Action[rule.action]);
      // No station within reach: build what is missing if the inventory allows it.
      for (const station of rule.nearby) {
        const place = placeRule(station)!;
        const spare = Object.entries(place.cost).every(
          ([item, n]) =>
            inv[Item[item as ItemName]] >= (n as number) + ((rule.cost as Record<string, number>)[item] ?? 0),
        );
        if (!spare) continue;
        const others = rule.nearby.filter((st) => st !== station);
        if (others.length > 0 && !this.nav.search(p, (x, y) => this.nav.stationsNear(x, y, others), stationReach).found)
          continue;
        const a = this.place(p, place.name, others);
        if (a !== null) return a;
      }
      this.noStationPlaceUntil = s.t + stationRetry;
      if (res.found) return approach(res, Action[rule.action]);
      return s.fail(`no ${rule.nearby.join(' and ')} within reach`);
    }
    if (task?.kind !== 'place') return null;
    const rule = placeRule(task.what)!;
    if (task.what === 'plant' && this.plantSite >= 0) return this.protectPlant(p);
    for (const [item, n] of Object.entries(rule.cost)) {
      if (inv[Item[item as ItemName]] < (n as number)) return s.fail(`missing ${item}`);
    }
    s.activity = `placing ${task.what}`;
    const a = this.place(p, task.what, task.near ?? []);
    if (a !== null) return a;
    return s.fail(`no place for ${task.what}`);
  }

  /** Places `what` facing a valid tile, with `near` stations within reach of the standing tile. */
  private place(p: Player, what: string, near: readonly MaterialName[]): number | null {
    const s = this.s;
    const nav = this.nav;
    const tuning = s.tuning.craft;
    const rule = placeRule(what)!;
    const targets = new Uint8Array(16);
    for (const m of rule.targets) targets[M[m]] = 1;
    const action = Action[rule.action];
    const mat = s.senses.mat;
    const ok = (t: number): boolean => targets[mat[t]] === 1 && nav.freeTarget(t) && t !== p.x * N + p.y;
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
        if (!ok(t) || nav.isBanned(t) || s.coordination.reservedByOther(t, s.slot)) return false;
        if (near.length > 0 && !nav.stationsNear(x, y, near)) return false;
        if (strict && sheltered(t) < 2) return false;
        return true;
      };
    let res = what === 'plant' ? nav.search(p, goal(true), tuning.plantReach) : ({ found: false } as SearchResult);
    if (!res.found && (near.length === 0 || s.t >= this.nearFailedUntil))
      res = nav.search(
        p,
        goal(false),
        near.length > 0 ? tuning.placeNearReach : undefined,
        undefined,
        `place:${what}:${near.join('+')}`,
      );
    if (!res.found && near.length > 0) {
      this.nearFailedUntil = s.t + tuning.placeNearRetry;
      return this.place(p, what, []);
    }
    if (!res.found) return null;
    const target = (res.x + DX[res.facing]) * N + (res.y + DY[res.facing]);
    nav.claim(target);
    if (res.steps === 0) {
      if (what === 'plant') {
        this.plantSite = target;
        this.plantSince = s.t;
        s.senses.notePlant((target / N) | 0, target % N);
      }
      return action;
    }
    return res.action;
  }

  /** After planting: seal the plant's open sides with stone so cows and zombies cannot trample it. */
  private protectPlant(p: Player): number | null {
    const s = this.s;
    const site = this.plantSite;
    const sx = (site / N) | 0;
    const sy = site % N;
    const here = s.senses.objectAt(sx, sy);
    if (!here || here.kind !== ObjectKind.plant) {
      if (Senses.inView(p, sx, sy) && s.t > this.plantSince + 1) this.plantSite = -1;
      return Action.noop;
    }
    const open = (t: number): boolean => {
      const m = s.senses.mat[t];
      return CREATURE_WALKABLE[m] === 1 && this.nav.freeTarget(t) && t !== p.x * N + p.y;
    };
    const sides: number[] = [];
    for (let k = 0; k < 4; k++) {
      const nx = sx + DX[k];
      const ny = sy + DY[k];
      if (inside(nx, ny)) sides.push(nx * N + ny);
    }
    const need = sides.filter((t) => CREATURE_WALKABLE[s.senses.mat[t]] === 1);
    if (need.length === 0 || p.inventory[Item.stone] === 0 || s.t - this.plantSince > s.tuning.craft.protectFor) {
      this.plantSite = -2; // protected (or as well as we can)
      return Action.noop;
    }
    s.activity = 'protecting the plant';
    const res = this.nav.search(
      p,
      (x, y, f) => {
        const t = (x + DX[f]) * N + (y + DY[f]);
        return inside(x + DX[f], y + DY[f]) && need.includes(t) && open(t);
      },
      s.tuning.craft.protectReach,
    );
    if (!res.found) {
      this.plantSite = -2;
      return Action.noop;
    }
    return approach(res, Action.place_stone);
  }
}
