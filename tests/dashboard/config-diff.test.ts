import { describe, expect, it } from 'vitest';
import { diffConfigs, flattenConfig, formatConfigValue } from '../../src/dashboard/shared/config-diff.js';
import { applyAssignments, hasAssignments, parseOverrides } from '../../src/dashboard/shared/overrides.js';

/** Config flattening and diffing, and the patch text helpers of the branch form, on hand-made values. */

const parent = {
  seed: 0,
  steps: 30000,
  data: { d: 64, viewSize: null, features: 'axis' },
  init: { overlap: [[1.5, 1.0], [1.0, 1.3]] },
  head: { mode: 'offdiag' },
  optim: { kind: 'sgd', lrW: 0.01, lrE: 0.001 },
  phases: { changePoints: { series: ['loss'], bocpd: { enabled: true } } },
};

describe('flattenConfig', () => {
  it('gives every leaf its dotted key, arrays and null as one value, in key order', () => {
    expect([...flattenConfig(parent).entries()]).toEqual([
      ['seed', 0],
      ['steps', 30000],
      ['data.d', 64],
      ['data.viewSize', null],
      ['data.features', 'axis'],
      ['init.overlap', [[1.5, 1.0], [1.0, 1.3]]],
      ['head.mode', 'offdiag'],
      ['optim.kind', 'sgd'],
      ['optim.lrW', 0.01],
      ['optim.lrE', 0.001],
      ['phases.changePoints.series', ['loss']],
      ['phases.changePoints.bocpd.enabled', true],
    ]);
  });

  it('keeps an empty group as a value and takes nothing from a non-object', () => {
    expect([...flattenConfig({ a: {}, b: { c: [] } }).entries()]).toEqual([
      ['a', {}],
      ['b.c', []],
    ]);
    expect(flattenConfig(null).size).toBe(0);
    expect(flattenConfig(3).size).toBe(0);
  });
});

describe('diffConfigs', () => {
  it('lists exactly the changed settings, parent value first', () => {
    const branch = structuredClone(parent);
    branch.head.mode = 'none';
    branch.optim = { kind: 'adam', lrW: 0.003, lrE: 0.003 };
    expect(diffConfigs(parent, branch)).toEqual([
      { key: 'head.mode', before: 'offdiag', after: 'none' },
      { key: 'optim.kind', before: 'sgd', after: 'adam' },
      { key: 'optim.lrW', before: 0.01, after: 0.003 },
      { key: 'optim.lrE', before: 0.001, after: 0.003 },
    ]);
  });

  it('compares arrays by value and reports keys on one side only', () => {
    const branch = structuredClone(parent) as Record<string, unknown> & typeof parent;
    branch.init = { overlap: [[1.5, 1.0], [1.0, 1.3]] }; // equal, a new array
    branch.phases.changePoints.series = ['loss', 'E_2_1'];
    delete (branch.data as Partial<typeof parent.data>).viewSize;
    branch.extra = { on: true };
    expect(diffConfigs(parent, branch)).toEqual([
      { key: 'data.viewSize', before: null, after: undefined },
      { key: 'phases.changePoints.series', before: ['loss'], after: ['loss', 'E_2_1'] },
      { key: 'extra.on', before: undefined, after: true },
    ]);
    expect(diffConfigs(parent, structuredClone(parent))).toEqual([]);
  });

  it('shows values as text: strings bare, absent as a dash, the rest as JSON', () => {
    expect(['none', 0.003, null, undefined, [1, 2], true].map(formatConfigValue)).toEqual(['none', '0.003', 'null', '—', '[1,2]', 'true']);
  });
});

describe('patch text', () => {
  it('parses key=value lines, skipping blanks and comments, and names the bad line', () => {
    expect(parseOverrides('head.mode = none\n\n# why\n optim.lrE=0 ')).toEqual({ sets: ['head.mode=none', 'optim.lrE=0'] });
    expect(parseOverrides('head.mode=none\nbogus')).toEqual({ error: 'line 2: expected key=value, got "bogus"' });
    expect(parseOverrides('9x=1')).toEqual({ error: 'line 1: "9x" is not a config key (like optim.lrE)' });
  });

  it('adds a suggestion by replacing lines that set the same key and appending the rest', () => {
    expect(applyAssignments('', ['head.mode=none'])).toBe('head.mode=none');
    expect(applyAssignments('optim.lrE=0\n', ['optim.kind=adam', 'optim.lrW=0.003', 'optim.lrE=0.003'])).toBe(
      'optim.lrE=0.003\noptim.kind=adam\noptim.lrW=0.003',
    );
    // Twice is once.
    const once = applyAssignments('# note', ['norm.mode=off']);
    expect(applyAssignments(once, ['norm.mode=off'])).toBe('# note\nnorm.mode=off');
  });

  it('tells whether a suggestion is already in the text', () => {
    expect(hasAssignments('optim.kind = adam\noptim.lrW=0.003\noptim.lrE=0.003', ['optim.kind=adam', 'optim.lrW=0.003', 'optim.lrE=0.003'])).toBe(true);
    expect(hasAssignments('optim.kind=adam', ['optim.kind=adam', 'optim.lrW=0.003'])).toBe(false);
    expect(hasAssignments('', ['head.mode=none'])).toBe(false);
  });
});
