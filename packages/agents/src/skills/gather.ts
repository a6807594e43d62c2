/**
 * Gather: collect a material (walk to the nearest tile of it, face it, `do`; explore for it under
 * the fair sense) and eat (cows; ripe plants, waiting near a sapling while it grows). Runs
 * `collect` and `eat` tasks; the survival reflex uses it to drink and eat.
 */
import { Action, Item, type ItemName, Material, ObjectKind, PLANT_RIPE_AFTER, type Player } from '@aikon/engine';
import { collectRuleForMaterial } from '../techtree.ts';
import { approach, N, type Navigator } from './navigate.ts';
import { type Skill, type SkillTick, scripted } from './skill.ts';
import type { Survival } from './survive.ts';
import type { WorkerState } from './worker.ts';

const M = Material;

export class Gather {
  /** `collect` and `eat` tasks. */
  readonly task: Skill = scripted('gather', (tick) => this.runTask(tick));
  /** Searches that found nothing: not repeated until the map has grown or a while has passed. */
  private readonly noTarget = new Map<number, { known: number; t: number }>();

  constructor(
    private readonly s: WorkerState,
    private readonly nav: Navigator,
    private readonly survival: Survival,
  ) {}

  private runTask({ world, p, task }: SkillTick): number | null {
    const s = this.s;
    if (task?.kind === 'collect') {
      const rule = collectRuleForMaterial(task.material);
      if (!rule) return s.fail(`no rule collects ${task.material}`);
      for (const [tool, n] of Object.entries(rule.require)) {
        if (p.inventory[Item[tool as ItemName]] < (n as number)) return s.fail(`missing ${tool}`);
      }
      s.activity = `collecting ${task.material}`;
      const a = this.collectMaterial(p, M[task.material], Action.do);
      if (a !== null) return a;
      const e = this.nav.explore(
        p,
        task.material === 'tree' || task.material === 'grass'
          ? (m) => m === M.grass
          : task.material === 'water'
            ? (m) => m === M.water || m === M.sand
            : (m) => m === M.stone || m === M.path || m === M.coal || m === M.iron || m === M.lava,
      );
      if (e !== null) return e;
      return s.fail(`no reachable ${task.material}`);
    }
    if (task?.kind !== 'eat') return null;
    s.activity = `eating ${task.food}`;
    if (task.food === 'cow') {
      const a = this.eat(p, false);
      if (a !== null) return a;
      const e = this.nav.explore(p, (m) => m === M.grass);
      if (e !== null) return e;
      return s.fail('no cow reachable');
    }
    const a = this.ripePlant(p);
    if (a !== null) return a;
    if (s.senses.plants.size === 0) return s.fail('no plant');
    // Wait near the plant (it only grows while a player is within 17 tiles).
    let best: { x: number; y: number } | null = null;
    let bestD = Infinity;
    for (const mem of s.senses.plants.values()) {
      const d = Math.abs(mem.x - p.x) + Math.abs(mem.y - p.y);
      if (d < bestD) {
        bestD = d;
        best = mem;
      }
    }
    const { plantGoNear, plantWaitNear } = s.tuning.gather;
    if (best && bestD > plantGoNear) {
      const bx = best.x;
      const by = best.y;
      const res = this.nav.search(
        p,
        (x, y) => Math.abs(x - bx) + Math.abs(y - by) <= plantWaitNear,
        undefined,
        (x, y) => Math.max(0, Math.abs(x - bx) + Math.abs(y - by) - plantWaitNear),
      );
      if (res.found) return res.action;
    }
    s.activity = 'waiting for a plant to ripen';
    return this.survival.idle(world, p);
  }

  /** Faces the nearest tile of `material` and performs `action` on it. */
  collectMaterial(p: Player, material: number, action: number, maxCost?: number): number | null {
    const s = this.s;
    const memoKey = material * 1000 + (maxCost ?? 999);
    const memo = this.noTarget.get(memoKey);
    const { retryKnownTiles, retryTicks } = s.tuning.gather;
    if (memo && s.senses.knownTiles < memo.known + retryKnownTiles && s.t < memo.t + retryTicks) return null;
    const res = this.nav.seekFacing(
      p,
      (t) => s.senses.mat[t] === material && this.nav.freeTarget(t),
      maxCost,
      `collect:${material}`,
    );
    if (!res.found) {
      this.noTarget.set(memoKey, { known: s.senses.knownTiles, t: s.t });
      return null;
    }
    this.noTarget.delete(memoKey);
    return approach(res, action);
  }

  /** Walks to food and eats: a ripe plant (when `allowPlant`), else a cow in sight. */
  eat(p: Player, allowPlant: boolean): number | null {
    if (allowPlant) {
      const ripe = this.ripePlant(p);
      if (ripe !== null) return ripe;
    }
    const senses = this.s.senses;
    let cows = false;
    for (const o of senses.objects) if (o.kind === ObjectKind.cow) cows = true;
    if (!cows) return null;
    const res = this.nav.seekFacing(p, (t) => {
      const o = senses.objectAt((t / N) | 0, t % N);
      return o !== null && o.kind === ObjectKind.cow;
    });
    if (!res.found) return null;
    return approach(res, Action.do);
  }

  private ripePlant(p: Player): number | null {
    const plants = this.s.senses.plants;
    let any = false;
    for (const mem of plants.values()) if (mem.grown > PLANT_RIPE_AFTER) any = true;
    if (!any) return null;
    const res = this.nav.seekFacing(p, (t) => {
      const mem = plants.get(t);
      return mem !== undefined && mem.grown > PLANT_RIPE_AFTER;
    });
    if (!res.found) return null;
    return approach(res, Action.do);
  }
}
