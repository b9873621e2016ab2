/**
 * Run families from the run list: which run branched from which, and where their histories part.
 * Pure functions over run summaries (`parentId`, `forkStep`); no DOM, no fetching.
 *
 * A branch's history is its parent's up to and including the fork step, then its own (the
 * store reads it through). Two runs of one family therefore share every record up to the step
 * where their chains of ancestors first go different ways: their *divergence step*. Curves of a
 * related run are drawn from there on; before it they are the selected run's own curves.
 */

/** The fields of a run summary this module reads. */
export interface LineageRun {
  readonly id: number;
  readonly parentId: number | null;
  readonly forkStep: number | null;
}

/** One row of the run list in tree order. */
export interface ForestRow<R extends LineageRun> {
  readonly run: R;
  /** 0 for a run without a (listed) parent, 1 for its branches, and so on. */
  readonly depth: number;
  readonly children: number;
}

/**
 * The runs in tree order: roots newest first, each followed by its branches (by fork step, then
 * id — the order they part from the parent), depth first. A run whose parent is not in the list
 * is shown as a root, so nothing disappears.
 */
export function buildForest<R extends LineageRun>(runs: readonly R[]): ForestRow<R>[] {
  const ids = new Set(runs.map((r) => r.id));
  const kids = childrenIndex(runs);
  const roots = runs.filter((r) => r.parentId === null || !ids.has(r.parentId) || r.parentId === r.id).sort((a, b) => b.id - a.id);
  const out: ForestRow<R>[] = [];
  const seen = new Set<number>();
  const visit = (run: R, depth: number) => {
    if (seen.has(run.id)) return; // a cycle cannot come from the server, but must not hang the page
    seen.add(run.id);
    const children = kids.get(run.id) ?? [];
    out.push({ run, depth, children: children.length });
    for (const child of children) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  // Runs only reachable through a cycle: shown as roots.
  for (const run of runs) if (!seen.has(run.id)) visit(run, 0);
  return out;
}

/** A run's chain of ancestors, root first, ending with the run itself (only runs in the list). */
export function ancestry<R extends LineageRun>(runs: readonly R[], runId: number): R[] {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const chain: R[] = [];
  const seen = new Set<number>();
  let run = byId.get(runId);
  while (run && !seen.has(run.id)) {
    seen.add(run.id);
    chain.unshift(run);
    run = run.parentId === null ? undefined : byId.get(run.parentId);
  }
  return chain;
}

/**
 * The last step two runs share: the history of both is the same record for record up to it
 * (inclusive). Null when they share nothing (different families) or are the same run.
 *
 * Walk both chains of ancestors from the root; at the first place they differ, each side's next
 * run branched off the common ancestor at its fork step, and the earlier of the two forks is
 * where the histories part (a side that ends at the common ancestor contributes no fork).
 */
export function divergenceStep(runs: readonly LineageRun[], a: number, b: number): number | null {
  if (a === b) return null;
  const ca = ancestry(runs, a);
  const cb = ancestry(runs, b);
  if (!ca.length || !cb.length || ca[0].id !== cb[0].id) return null;
  let i = 0;
  while (i + 1 < ca.length && i + 1 < cb.length && ca[i + 1].id === cb[i + 1].id) i++;
  const forks = [ca[i + 1]?.forkStep, cb[i + 1]?.forkStep].filter((s): s is number => typeof s === 'number');
  return forks.length ? Math.min(...forks) : null;
}

export type Relation = 'parent' | 'branch' | 'sibling' | 'ancestor';

/** A run drawn next to the selected one. */
export interface RelatedRun {
  readonly id: number;
  readonly relation: Relation;
  /** The divergence step: its curves start here (the records before it are the selected run's too). */
  readonly from: number;
  /** Its line style (see OVERLAY_DASHES): index into the list, stable for the run while selected. */
  readonly style: number;
}

/** Related runs drawn at most (parent first, then branches, siblings, older ancestors): more would bury the selected run. */
export const MAX_RELATED = 6;

/**
 * The runs compared with the selected one: its parent, its own branches, the parent's other
 * branches (its siblings), then the parent's ancestors nearest first (a branch of a branch made
 * where its parent stopped has nothing of the parent to compare after the fork, but the
 * grandparent may train on), at most MAX_RELATED of them, each with the step its history parts
 * from the selected run's. Runs that share no history with it (no fork step known) are left out.
 */
export function relatedRuns(runs: readonly LineageRun[], selected: number): RelatedRun[] {
  const me = runs.find((r) => r.id === selected);
  if (!me) return [];
  const candidates: { id: number; relation: Relation }[] = [];
  if (me.parentId !== null && runs.some((r) => r.id === me.parentId)) candidates.push({ id: me.parentId, relation: 'parent' });
  const byFork = (x: LineageRun, y: LineageRun) => (x.forkStep ?? 0) - (y.forkStep ?? 0) || x.id - y.id;
  for (const child of runs.filter((r) => r.parentId === selected && r.id !== selected).sort(byFork)) candidates.push({ id: child.id, relation: 'branch' });
  if (me.parentId !== null) {
    for (const sibling of runs.filter((r) => r.parentId === me.parentId && r.id !== selected).sort(byFork)) candidates.push({ id: sibling.id, relation: 'sibling' });
  }
  for (const ancestor of ancestry(runs, selected).slice(0, -2).reverse()) candidates.push({ id: ancestor.id, relation: 'ancestor' });
  const out: RelatedRun[] = [];
  for (const c of candidates) {
    if (out.length >= MAX_RELATED) break;
    if (out.some((o) => o.id === c.id)) continue;
    const from = divergenceStep(runs, selected, c.id);
    if (from === null) continue;
    out.push({ ...c, from, style: out.length });
  }
  return out;
}

/** The runs of the selected run's family in tree order: from its root, every descendant (at most `limit`). */
export function familyTree<R extends LineageRun>(runs: readonly R[], selected: number, limit = 40): ForestRow<R>[] {
  const root = ancestry(runs, selected)[0];
  if (!root) return [];
  const kids = childrenIndex(runs);
  const out: ForestRow<R>[] = [];
  const seen = new Set<number>();
  const visit = (run: R, depth: number) => {
    if (seen.has(run.id) || out.length >= limit) return;
    seen.add(run.id);
    const children = kids.get(run.id) ?? [];
    out.push({ run, depth, children: children.length });
    for (const child of children) visit(child, depth + 1);
  };
  visit(root, 0);
  return out;
}

/** Whether the run has a parent or branches in the list (the comparison views are shown only then). */
export function hasFamily(runs: readonly LineageRun[], runId: number): boolean {
  const me = runs.find((r) => r.id === runId);
  if (!me) return false;
  return (me.parentId !== null && runs.some((r) => r.id === me.parentId)) || runs.some((r) => r.parentId === runId && r.id !== runId);
}

/**
 * The steps where the selected run's family forks, for the vertical lines on the charts: one
 * line per distinct divergence step of the related runs, labelled with the runs that part there.
 */
export function forkLines(related: readonly RelatedRun[]): { step: number; runs: number[] }[] {
  const byStep = new Map<number, number[]>();
  for (const r of related) {
    const list = byStep.get(r.from);
    if (list) list.push(r.id);
    else byStep.set(r.from, [r.id]);
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, ids]) => ({ step, runs: ids }));
}

function childrenIndex<R extends LineageRun>(runs: readonly R[]): Map<number, R[]> {
  const kids = new Map<number, R[]>();
  for (const run of runs) {
    if (run.parentId === null || run.parentId === run.id) continue;
    const list = kids.get(run.parentId);
    if (list) list.push(run);
    else kids.set(run.parentId, [run]);
  }
  for (const list of kids.values()) list.sort((x, y) => (x.forkStep ?? 0) - (y.forkStep ?? 0) || x.id - y.id);
  return kids;
}
