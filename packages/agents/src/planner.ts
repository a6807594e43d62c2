/**
 * The planner: turns a goal into a plan — a DAG of tasks over the tech tree — derived from
 * the engine's rule tables (techtree.ts reads COLLECT_RULES, PLACE_RULES, MAKE_RULES), then
 * allocates the plan's lanes to workers and re-plans from the current state when the world
 * disagrees.
 *
 * Edges come in two sorts:
 *  - inventory edges (an ingredient or a tool feeds a task): items cannot change hands in
 *    Crafter, so both ends must run in the same inventory — they share a *lane*;
 *  - station edges (a table or furnace must stand nearby): stations are shared world state,
 *    so any worker may place one for another.
 */
import { ACHIEVEMENTS, Achievement, type AchievementName, Item, type ItemName, type MaterialName } from '@aikon/engine';
import { describeGoal, type Goal } from './goals.ts';
import { describeTask, type TaskSpec } from './tasks.ts';
import { achievementTask, collectRuleForMaterial, makeRule, placeRule, sourceOf, TOOLS } from './techtree.ts';

export interface PlanTask {
  id: number;
  spec: TaskSpec;
  /** Tasks that must be done first. */
  deps: number[];
  /** Tasks sharing a lane must run on the same worker (one inventory). */
  lane: number;
  /** Higher runs first among ready tasks. */
  priority: number;
  /** True when the task only exists to unlock its achievement (any worker's counter will do). */
  unlockOnly: boolean;
  label: string;
}

export interface Plan {
  goal: Goal;
  tasks: PlanTask[];
  lanes: number;
  /** Achievements an 'all' plan leaves out, with the reason. */
  skipped?: { achievement: AchievementName; reason: string }[];
  /**
   * Lanes that count on items the planning inventory already holds: they must run on the
   * worker whose inventory the plan was made from.
   */
  pinnedLanes?: number[];
}

/** Lanes whose tasks consume or require more than the lane itself produces. */
function pinnedLanes(tasks: readonly PlanTask[]): number[] {
  const pinned: number[] = [];
  const lanes = new Set(tasks.map((t) => t.lane));
  for (const lane of lanes) {
    const balance = new Map<string, number>();
    const add = (item: string, n: number): void => void balance.set(item, (balance.get(item) ?? 0) + n);
    const tools = new Set<string>();
    for (const t of tasks) {
      if (t.lane !== lane) continue;
      const spec = t.spec;
      if (spec.kind === 'collect') {
        add(spec.item, spec.amount);
        for (const tool of Object.keys(collectRuleForMaterial(spec.material)?.require ?? {})) tools.add(tool);
      } else if (spec.kind === 'make') {
        add(spec.item, 1);
        for (const [item, n] of Object.entries(makeRule(spec.item)?.cost ?? {})) add(item, -(n as number));
      } else if (spec.kind === 'place') {
        for (const [item, n] of Object.entries(placeRule(spec.what)?.cost ?? {})) add(item, -(n as number));
      }
    }
    const short = [...balance.values()].some((v) => v < 0) || [...tools].some((tool) => (balance.get(tool) ?? 0) <= 0);
    if (short) pinned.push(lane);
  }
  return pinned;
}

export interface PlanState {
  /** Inventory (16 entries, INVENTORY order) of the worker the plan will run on. */
  inventory: ArrayLike<number>;
  /** Achievement counters already reached (team-wide for 'all'). */
  achievements?: ArrayLike<number>;
  /** Stations already standing where workers can use them. */
  stations?: ReadonlySet<MaterialName>;
  /** Whether the world is known to hold a material: false = known absent; undefined = unknown. */
  available?: (material: MaterialName) => boolean | undefined;
  /** Plants already growing (so eating one needs no planting). */
  plants?: number;
  /** Achievements to leave out for now (they kept failing). */
  exclude?: ReadonlySet<AchievementName>;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; reason: string };

/** Outcome statistics of a kind of task, from the executors' records. */
export type OutcomeStats = (label: string) => { tries: number; successRate: number } | undefined;

/** Order in which a single worker should take ready tasks (higher first). */
function basePriority(spec: TaskSpec): number {
  switch (spec.kind) {
    case 'collect':
      switch (spec.material) {
        case 'tree':
          return 100;
        case 'grass':
          return 85;
        case 'water':
          return 80;
        case 'stone':
          return 70;
        case 'coal':
          return 66;
        case 'iron':
          return 60;
        case 'diamond':
          return 40;
        default:
          return 50;
      }
    case 'place':
      return spec.what === 'table'
        ? 95
        : spec.what === 'plant'
          ? 84
          : spec.what === 'stone'
            ? 68
            : spec.what === 'furnace'
              ? 64
              : 62;
    case 'make':
      return 90;
    case 'eat':
      return spec.food === 'cow' ? 78 : 10;
    case 'defeat':
      return spec.creature === 'zombie' ? 30 : 35;
    case 'sleep':
      return 20;
    case 'survive':
      return 1;
  }
}

class PlanBuilder {
  readonly tasks: PlanTask[] = [];
  private readonly budget: number[];
  private readonly tools = new Map<ItemName, number>();
  private readonly stations = new Map<MaterialName, number>();
  private readonly union: number[] = [];
  /** Items that unlock-only collect tasks bring in, free for later consumers. */
  private readonly provided = new Map<ItemName, { id: number; left: number }[]>();

  constructor(
    private readonly state: PlanState,
    private readonly stats?: OutcomeStats,
  ) {
    this.budget = Array.from(state.inventory);
  }

  private find(i: number): number {
    while (this.union[i] !== i) {
      this.union[i] = this.union[this.union[i]];
      i = this.union[i];
    }
    return i;
  }

  private join(a: number, b: number): void {
    this.union[this.find(a)] = this.find(b);
  }

  add(spec: TaskSpec, inventoryDeps: number[], stationDeps: number[] = [], unlockOnly = false): number {
    const id = this.tasks.length;
    let priority = basePriority(spec);
    const label = describeTask(spec);
    const record = this.stats?.(label);
    // Ways that kept failing are tried later.
    if (record && record.tries > 0) priority -= Math.round(20 * (1 - record.successRate));
    this.tasks.push({
      id,
      spec,
      deps: [...new Set([...inventoryDeps, ...stationDeps])],
      lane: id,
      priority,
      unlockOnly,
      label,
    });
    this.union.push(id);
    for (const d of inventoryDeps) this.join(id, d);
    return id;
  }

  check(material: MaterialName): void {
    if (this.state.available?.(material) === false) throw new PlanError(`no reachable ${material} in this world`);
  }

  /** Task ids that together put `amount` of `item` into the lane's inventory. */
  needItem(item: ItemName, amount: number): number[] {
    if (TOOLS.has(item)) {
      if (this.budget[Item[item]] >= 1) return [];
      const memo = this.tools.get(item);
      if (memo !== undefined) return [memo];
      const id = this.produce(item);
      this.tools.set(item, id);
      return [id];
    }
    const have = Math.min(this.budget[Item[item]], amount);
    this.budget[Item[item]] -= have;
    let missing = amount - have;
    const got: number[] = [];
    for (const p of this.provided.get(item) ?? []) {
      if (missing <= 0) break;
      const take = Math.min(p.left, missing);
      if (take <= 0) continue;
      p.left -= take;
      missing -= take;
      got.push(p.id);
    }
    if (missing <= 0) return got;
    const source = sourceOf(item);
    if (!source) throw new PlanError(`no rule yields ${item}`);
    if (source.type === 'collect') {
      const rule = source.rule;
      this.check(rule.material);
      const deps = Object.entries(rule.require).flatMap(([tool, n]) => this.needItem(tool as ItemName, n as number));
      return [...got, this.add({ kind: 'collect', material: rule.material, item, amount: missing }, deps)];
    }
    const ids: number[] = [];
    for (let k = 0; k < missing; k++) ids.push(this.produce(item));
    return ids;
  }

  /** One make task for `item` with its ingredients and stations. */
  produce(item: ItemName): number {
    const rule = makeRule(item);
    if (!rule) {
      const source = sourceOf(item);
      if (source?.type === 'collect') return this.needItem(item, 1)[0];
      throw new PlanError(`no recipe makes ${item}`);
    }
    const deps = Object.entries(rule.cost).flatMap(([i, n]) => this.needItem(i as ItemName, n as number));
    const stationDeps = rule.nearby.flatMap((s) =>
      this.needStation(
        s,
        rule.nearby.filter((o) => o !== s),
      ),
    );
    return this.add({ kind: 'make', item }, deps, stationDeps);
  }

  /** A station standing where a worker can use it (placed unless one already stands). */
  needStation(material: MaterialName, near: readonly MaterialName[] = []): number[] {
    if (this.state.stations?.has(material)) return [];
    const memo = this.stations.get(material);
    if (memo !== undefined) return [memo];
    return [this.place(material, near)];
  }

  place(what: string, near: readonly MaterialName[] = [], unlockOnly = false): number {
    const rule = placeRule(what);
    if (!rule) throw new PlanError(`nothing can be placed as ${what}`);
    const deps = Object.entries(rule.cost).flatMap(([i, n]) => this.needItem(i as ItemName, n as number));
    const nearStations = near.filter((s) => s !== what);
    const stationDeps = nearStations.flatMap((s) => this.needStation(s));
    const id = this.add(
      { kind: 'place', what: rule.name, near: nearStations.length > 0 ? nearStations : undefined },
      deps,
      stationDeps,
      unlockOnly,
    );
    if (rule.name === 'table' || rule.name === 'furnace') this.stations.set(rule.name, id);
    return id;
  }

  /** The tasks that unlock one achievement. */
  unlock(name: AchievementName, all: boolean): number | null {
    if ((this.state.achievements?.[Achievement[name]] ?? 0) > 0) return null;
    const how = achievementTask(name);
    switch (how.kind) {
      case 'collect': {
        const rule = how.rule;
        this.check(rule.material);
        const deps = Object.entries(rule.require).flatMap(([tool, n]) => this.needItem(tool as ItemName, n as number));
        const id = this.add(
          { kind: 'collect', material: rule.material, item: rule.receive, amount: 1 },
          deps,
          [],
          true,
        );
        const list = this.provided.get(rule.receive) ?? [];
        list.push({ id, left: 1 });
        this.provided.set(rule.receive, list);
        return id;
      }
      case 'place': {
        const station = this.stations.get(how.rule.name as MaterialName);
        if (station !== undefined) {
          this.tasks[station].unlockOnly = true;
          return station;
        }
        return this.place(how.rule.name, how.rule.name === 'furnace' ? ['table'] : [], true);
      }
      case 'make': {
        const item = how.rule.item;
        const memo = TOOLS.has(item) ? this.needItem(item, 1) : [];
        const id = memo.length > 0 ? memo[0] : this.produce(item);
        this.tasks[id].unlockOnly = true;
        return id;
      }
      case 'defeat': {
        // A sword first when it is on the plan anyway (a skeleton retreats and shoots).
        const deps = all ? this.needItem(how.creature === 'zombie' ? 'wood_sword' : 'stone_sword', 1) : [];
        return this.add({ kind: 'defeat', creature: how.creature }, deps, [], true);
      }
      case 'eat': {
        if (how.food === 'cow') return this.add({ kind: 'eat', food: 'cow' }, [], [], true);
        const plants = this.state.plants ?? 0;
        const deps: number[] = [];
        if (plants === 0) {
          const placed = this.tasks.find((t) => t.spec.kind === 'place' && t.spec.what === 'plant');
          deps.push(placed ? placed.id : this.place('plant'));
        }
        return this.add({ kind: 'eat', food: 'plant' }, [], deps, true);
      }
      case 'sleep':
        return this.add({ kind: 'sleep' }, [], [], true);
    }
  }

  lanes(): number {
    const roots = new Map<number, number>();
    for (const t of this.tasks) {
      const r = this.find(t.id);
      if (!roots.has(r)) roots.set(r, roots.size);
      t.lane = roots.get(r)!;
    }
    return roots.size;
  }
}

class PlanError extends Error {}

export class Planner {
  /** Outcome statistics (from executors' records) used to order alternatives. */
  stats?: OutcomeStats;

  constructor(options: { stats?: OutcomeStats } = {}) {
    this.stats = options.stats;
  }

  plan(goal: Goal, state: PlanState): PlanResult {
    const b = new PlanBuilder(state, this.stats);
    const skipped: { achievement: AchievementName; reason: string }[] = [];
    try {
      switch (goal.kind) {
        case 'collect':
          // "collect wood 5": hold 5 wood (what the inventory already has counts).
          b.needItem(goal.item, goal.amount);
          break;
        case 'make':
          b.produce(goal.item);
          break;
        case 'place':
          b.place(goal.what, goal.what === 'furnace' ? ['table'] : []);
          break;
        case 'unlock':
          if (b.unlock(goal.achievement, false) === null) return { ok: true, plan: { goal, tasks: [], lanes: 0 } };
          break;
        case 'survive': {
          // Arm first, and carry stone to wall a shelter in (zombies come at night, §12).
          const prep = [...b.needItem('stone_sword', 1), ...b.needItem('stone', 6)];
          b.add({ kind: 'survive', steps: goal.days * 300 }, prep);
          break;
        }
        case 'all':
          // eat_plant last, so it reuses the place_plant task.
          for (const name of [...ACHIEVEMENTS.filter((a) => a !== 'eat_plant'), 'eat_plant' as const]) {
            if (state.exclude?.has(name)) {
              skipped.push({ achievement: name, reason: 'kept failing; retried later' });
              continue;
            }
            try {
              b.unlock(name, true);
            } catch (error) {
              if (!(error instanceof PlanError)) throw error;
              skipped.push({ achievement: name, reason: error.message });
            }
          }
          // One spare wood: a second table near the mines saves a long walk back.
          if (b.tasks.length > 0) b.needItem('wood', 1);
          break;
      }
    } catch (error) {
      if (error instanceof PlanError) return { ok: false, reason: `cannot ${describeGoal(goal)}: ${error.message}` };
      throw error;
    }
    const lanes = b.lanes();
    return { ok: true, plan: { goal, tasks: b.tasks, lanes, skipped, pinnedLanes: pinnedLanes(b.tasks) } };
  }

  /** Re-plans a goal from the current state (after a failure, a death, a missing resource). */
  replan(goal: Goal, state: PlanState): PlanResult {
    return this.plan(goal, state);
  }

  /**
   * Binds the plan's lanes to workers: longest lanes first, each to the worker with the least
   * work bound so far, ties to the worker that already holds most of what the lane needs.
   */
  allocate(plan: Plan, workers: readonly { slot: number; inventory: ArrayLike<number> }[]): Map<number, number> {
    const binding = new Map<number, number>();
    if (workers.length === 0) return binding;
    const work = new Map<number, number>(workers.map((w) => [w.slot, 0]));
    const laneSize = new Array<number>(plan.lanes).fill(0);
    for (const t of plan.tasks) laneSize[t.lane] += t.spec.kind === 'collect' ? t.spec.amount : 1;
    const order = laneSize.map((size, lane) => ({ size, lane })).sort((a, b) => b.size - a.size || a.lane - b.lane);
    for (const { lane, size } of order) {
      let best = workers[0];
      let bestKey = Infinity;
      for (const w of workers) {
        const held = plan.tasks.filter(
          (t) => t.lane === lane && t.spec.kind === 'make' && w.inventory[Item[t.spec.item]] > 0,
        ).length;
        const key = work.get(w.slot)! * 100 - held;
        if (key < bestKey) {
          bestKey = key;
          best = w;
        }
      }
      binding.set(lane, best.slot);
      work.set(best.slot, work.get(best.slot)! + size);
    }
    return binding;
  }
}

/** Checks a plan's DAG: ids, dependencies pointing backwards, no cycles. Returns a topological order. */
export function topologicalOrder(plan: Plan): number[] {
  const indegree = new Map<number, number>();
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  for (const t of plan.tasks) {
    for (const d of t.deps) if (!byId.has(d)) throw new Error(`task ${t.id} depends on unknown task ${d}`);
    indegree.set(t.id, t.deps.length);
  }
  const ready = plan.tasks.filter((t) => t.deps.length === 0).map((t) => t.id);
  const order: number[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const t of plan.tasks) {
      if (!t.deps.includes(id)) continue;
      const n = indegree.get(t.id)! - 1;
      indegree.set(t.id, n);
      if (n === 0) ready.push(t.id);
    }
  }
  if (order.length !== plan.tasks.length) throw new Error('plan has a cycle');
  return order;
}
