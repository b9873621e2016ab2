import { describe, expect, it } from 'vitest';
import { ancestry, buildForest, divergenceStep, familyTree, forkLines, hasFamily, MAX_RELATED, relatedRuns, type LineageRun } from '../../src/dashboard/shared/lineage.js';

/**
 * Run families from hand-made run summaries: tree order for the run list, the family of one run,
 * and the step where two runs' histories part — each checked against the tree drawn here:
 *
 *   1 ─┬─ 3 (fork 800) ─── 6 (fork 1500)
 *      ├─ 4 (fork 800)
 *      └─ 5 (fork 2000) ── 7 (fork 2600)
 *   2
 *   9 (parent 42, not listed)
 */
const run = (id: number, parentId: number | null = null, forkStep: number | null = null): LineageRun => ({ id, parentId, forkStep });
const RUNS: LineageRun[] = [run(1), run(2), run(3, 1, 800), run(4, 1, 800), run(5, 1, 2000), run(6, 3, 1500), run(7, 5, 2600), run(9, 42, 100)];

describe('buildForest', () => {
  it('puts roots newest first and each run’s branches under it by fork step, depth first', () => {
    const rows = buildForest(RUNS);
    expect(rows.map((r) => [r.run.id, r.depth, r.children])).toEqual([
      [9, 0, 0], // its parent is not in the list: shown as a root, not lost
      [2, 0, 0],
      [1, 0, 3],
      [3, 1, 1],
      [6, 2, 0],
      [4, 1, 0],
      [5, 1, 1],
      [7, 2, 0],
    ]);
  });

  it('orders branches at the same fork step by id, and keeps every run once even in a cycle', () => {
    const rows = buildForest([run(1), run(11, 1, 50), run(10, 1, 50), run(20, 21, 5), run(21, 20, 5)]);
    expect(rows.map((r) => r.run.id)).toEqual([1, 10, 11, 20, 21]);
    expect(buildForest([])).toEqual([]);
  });
});

describe('ancestry and divergenceStep', () => {
  it('walks a run’s ancestors from the root', () => {
    expect(ancestry(RUNS, 6).map((r) => r.id)).toEqual([1, 3, 6]);
    expect(ancestry(RUNS, 1).map((r) => r.id)).toEqual([1]);
    expect(ancestry(RUNS, 99)).toEqual([]);
  });

  it('is the fork step between a parent and its branch, both ways', () => {
    expect(divergenceStep(RUNS, 3, 1)).toBe(800);
    expect(divergenceStep(RUNS, 1, 3)).toBe(800);
    // A grandchild parts from the root where its own line of ancestors left it.
    expect(divergenceStep(RUNS, 1, 6)).toBe(800);
    expect(divergenceStep(RUNS, 3, 6)).toBe(1500);
  });

  it('is the earlier fork for siblings and cousins', () => {
    expect(divergenceStep(RUNS, 3, 4)).toBe(800);
    expect(divergenceStep(RUNS, 4, 5)).toBe(800);
    expect(divergenceStep(RUNS, 5, 3)).toBe(800);
    // 6 (via 3, fork 800) and 7 (via 5, fork 2000) part where 3 left run 1.
    expect(divergenceStep(RUNS, 6, 7)).toBe(800);
    expect(divergenceStep(RUNS, 7, 5)).toBe(2600);
  });

  it('is null for the same run and for runs of different families', () => {
    expect(divergenceStep(RUNS, 3, 3)).toBeNull();
    expect(divergenceStep(RUNS, 1, 2)).toBeNull();
    expect(divergenceStep(RUNS, 9, 1)).toBeNull();
  });
});

describe('relatedRuns', () => {
  it('gives a branch its parent, its own branches and its siblings, each from where it parts', () => {
    // 3's only ancestor is its parent.
    expect(relatedRuns(RUNS, 3)).toEqual([
      { id: 1, relation: 'parent', from: 800, style: 0 },
      { id: 6, relation: 'branch', from: 1500, style: 1 },
      { id: 4, relation: 'sibling', from: 800, style: 2 },
      { id: 5, relation: 'sibling', from: 800, style: 3 },
    ]);
  });

  it('adds older ancestors after siblings, nearest first', () => {
    // 6 ← 3 ← 1: its parent 3 (fork 1500), then the root 1, which parted from 6's line at 800.
    expect(relatedRuns(RUNS, 6)).toEqual([
      { id: 3, relation: 'parent', from: 1500, style: 0 },
      { id: 1, relation: 'ancestor', from: 800, style: 1 },
    ]);
    const deep = [run(1), run(2, 1, 100), run(3, 2, 200), run(4, 3, 300)];
    expect(relatedRuns(deep, 4).map((r) => [r.id, r.relation, r.from])).toEqual([
      [3, 'parent', 300],
      [2, 'ancestor', 200],
      [1, 'ancestor', 100],
    ]);
  });

  it('gives a root its branches only, and a lone run nothing', () => {
    expect(relatedRuns(RUNS, 1)).toEqual([
      { id: 3, relation: 'branch', from: 800, style: 0 },
      { id: 4, relation: 'branch', from: 800, style: 1 },
      { id: 5, relation: 'branch', from: 2000, style: 2 },
    ]);
    expect(relatedRuns(RUNS, 2)).toEqual([]);
    expect(relatedRuns(RUNS, 9)).toEqual([]); // its parent is not listed
    expect(relatedRuns(RUNS, 99)).toEqual([]);
  });

  it(`draws at most ${MAX_RELATED}: parent first, then branches`, () => {
    const many = [run(1), ...Array.from({ length: 10 }, (_, i) => run(10 + i, 1, 100 * (10 - i)))];
    const related = relatedRuns(many, 1);
    expect(related).toHaveLength(MAX_RELATED);
    // By fork step: 19 forks at 100, 18 at 200, …
    expect(related.map((r) => r.id)).toEqual([19, 18, 17, 16, 15, 14]);
    expect(related.map((r) => r.style)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('familyTree, hasFamily and forkLines', () => {
  it('lists the whole family from the root, whichever member is selected', () => {
    const ids = (selected: number) => familyTree(RUNS, selected).map((r) => `${r.run.id}@${r.depth}`);
    expect(ids(7)).toEqual(['1@0', '3@1', '6@2', '4@1', '5@1', '7@2']);
    expect(ids(1)).toEqual(ids(7));
    expect(ids(2)).toEqual(['2@0']);
    expect(familyTree(RUNS, 1, 3)).toHaveLength(3);
  });

  it('knows which runs have a family', () => {
    expect([1, 2, 3, 7, 9].map((id) => hasFamily(RUNS, id))).toEqual([true, false, true, true, false]);
  });

  it('draws one fork line per divergence step, naming the runs that part there', () => {
    expect(forkLines(relatedRuns(RUNS, 3))).toEqual([
      { step: 800, runs: [1, 4, 5] },
      { step: 1500, runs: [6] },
    ]);
    expect(forkLines([])).toEqual([]);
  });
});
