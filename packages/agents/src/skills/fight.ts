/**
 * Fight: the defence reflex (strike an adjacent zombie or skeleton first — fleeing does not work,
 * zombies are as fast as we are; side-step arrows flying at us) and `defeat` tasks (hunt the
 * creature; with low health keep away from threats and rest instead).
 */
import { Action, ARROW_FREE, DIRECTIONS, Item, Material, ObjectKind, type Player, type World } from '@aikon/engine';
import { approach, DX, DY, N, type Navigator } from './navigate.ts';
import { type Skill, type SkillTick, scripted } from './skill.ts';
import type { Survival } from './survive.ts';
import type { WorkerState } from './worker.ts';

const M = Material;

export class Fight {
  /** The reflex that comes before anything else: adjacent threats and incoming arrows. */
  readonly defend: Skill = scripted('defend', ({ p }) => this.defendAct(p));
  /** `defeat` tasks. */
  readonly task: Skill = scripted('fight', (tick) => this.hunt(tick));

  constructor(
    private readonly s: WorkerState,
    private readonly nav: Navigator,
    private readonly survival: Survival,
  ) {}

  private defendAct(p: Player): number | null {
    const s = this.s;
    let threat: { x: number; y: number } | null = null;
    for (const o of s.senses.objects) {
      const d = Math.abs(o.x - p.x) + Math.abs(o.y - p.y);
      if ((o.kind === ObjectKind.zombie || o.kind === ObjectKind.skeleton) && d === 1) threat = o;
    }
    if (threat) {
      s.script.length = 0;
      s.activity = 'fighting';
      return this.faceAndDo(p, threat.x, threat.y);
    }
    for (const o of s.senses.objects) {
      if (o.kind !== ObjectKind.arrow) continue;
      const d = Math.abs(o.x - p.x) + Math.abs(o.y - p.y);
      if (d > s.tuning.threats.dodgeArrow) continue;
      const [ax, ay] = DIRECTIONS[o.dir];
      const toward =
        (o.x === p.x && Math.sign(p.y - o.y) === ay && ax === 0) ||
        (o.y === p.y && Math.sign(p.x - o.x) === ax && ay === 0);
      if (toward) {
        const dodge = this.sidestep(p, o.dir);
        if (dodge !== null) return dodge;
      }
    }
    return null;
  }

  private hunt({ world, p, task }: SkillTick): number | null {
    if (task?.kind !== 'defeat') return null;
    const s = this.s;
    const kind = ObjectKind[task.creature];
    if (p.inventory[Item.health] <= s.tuning.vitals.health.start) return this.recover(world, p);
    s.activity = `hunting ${task.creature}`;
    const res = this.nav.seekFacing(p, (t) => {
      const o = s.senses.objectAt((t / N) | 0, t % N);
      return o !== null && o.kind === kind;
    });
    if (res.found) return approach(res, Action.do);
    const e = this.nav.explore(p, task.creature === 'skeleton' ? (m) => m === M.path : (m) => m === M.grass);
    if (e !== null) return e;
    if (task.creature === 'zombie') return Action.noop; // zombies come at night
    // Skeletons live in tunnels: dig toward unexplored dark areas (privileged: none left).
    return this.s.fail('no skeleton reachable');
  }

  /** A skeleton with a clear shot along our row or column within `range`. */
  skeletonInLine(p: Player, range: number): { x: number; y: number } | null {
    const senses = this.s.senses;
    for (const o of senses.objects) {
      if (o.kind !== ObjectKind.skeleton) continue;
      const dx = p.x - o.x;
      const dy = p.y - o.y;
      if ((dx !== 0 && dy !== 0) || Math.abs(dx) + Math.abs(dy) > range) continue;
      const dir = dx < 0 ? 0 : dx > 0 ? 1 : dy < 0 ? 2 : 3;
      let clear = true;
      for (let st = 1; st < Math.abs(dx) + Math.abs(dy); st++) {
        const m = senses.material(o.x + DX[dir] * st, o.y + DY[dir] * st);
        if (ARROW_FREE[m] !== 1) clear = false;
      }
      if (clear) return o;
    }
    return null;
  }

  private faceAndDo(p: Player, x: number, y: number): number {
    const dir = DX.findIndex((dx, k) => p.x + dx === x && p.y + DY[k] === y);
    if (dir < 0) return Action.noop;
    return p.facing === dir ? Action.do : Action.move_left + dir;
  }

  private flee(p: Player): number | null {
    let best = -1;
    let bestScore = -Infinity;
    for (let k = 0; k < 4; k++) {
      const nx = p.x + DX[k];
      const ny = p.y + DY[k];
      if (!this.nav.walkable(nx, ny)) continue;
      let score = 0;
      for (const o of this.s.senses.objects) {
        if (o.kind !== ObjectKind.zombie && o.kind !== ObjectKind.skeleton) continue;
        score += Math.min(8, Math.abs(o.x - nx) + Math.abs(o.y - ny));
      }
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    if (best < 0) return null;
    this.s.activity = 'fleeing';
    return Action.move_left + best;
  }

  private sidestep(p: Player, arrowDir: number): number | null {
    const perpendicular = arrowDir < 2 ? [2, 3] : [0, 1];
    for (const k of perpendicular) if (this.nav.walkable(p.x + DX[k], p.y + DY[k])) return Action.move_left + k;
    return null;
  }

  /** Low health: keep away from threats and rest until health comes back. */
  private recover(world: World, p: Player): number {
    this.s.activity = 'recovering';
    for (const o of this.s.senses.objects) {
      if (
        (o.kind === ObjectKind.zombie || o.kind === ObjectKind.skeleton) &&
        Math.abs(o.x - p.x) + Math.abs(o.y - p.y) <= this.s.tuning.threats.fleeRadius
      ) {
        const a = this.flee(p);
        if (a !== null) return a;
      }
    }
    return this.survival.idle(world, p);
  }
}
