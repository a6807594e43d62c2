/**
 * Lays a plan DAG out in columns: a task's column is the length of the longest chain of
 * dependencies before it (roots in column 0), tasks of one column stacked in id order.
 * Returns card positions and the edges between them (dependency → task).
 */
export interface LayoutTask {
  id: number;
  deps: readonly number[];
}

export interface PlanLayout {
  pos: Map<number, { col: number; row: number }>;
  cols: number;
  rows: number;
  edges: { from: number; to: number }[];
}

export function layoutPlan(tasks: readonly LayoutTask[]): PlanLayout {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const depth = new Map<number, number>();
  const visiting = new Set<number>();
  const depthOf = (id: number): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle would be a server bug: do not loop
    visiting.add(id);
    let d = 0;
    for (const dep of byId.get(id)?.deps ?? []) if (byId.has(dep)) d = Math.max(d, depthOf(dep) + 1);
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  const pos = new Map<number, { col: number; row: number }>();
  const perCol: number[] = [];
  for (const t of [...tasks].sort((a, b) => a.id - b.id)) {
    const col = depthOf(t.id);
    const row = perCol[col] ?? 0;
    perCol[col] = row + 1;
    pos.set(t.id, { col, row });
  }
  const edges: { from: number; to: number }[] = [];
  for (const t of tasks) for (const dep of t.deps) if (byId.has(dep)) edges.push({ from: dep, to: t.id });
  return { pos, cols: perCol.length, rows: Math.max(0, ...perCol.map((n) => n ?? 0)), edges };
}
