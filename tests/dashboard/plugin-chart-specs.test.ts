import { describe, expect, it } from 'vitest';
import { chartTestId, parseChartKey, pluginChartKey } from '../../src/dashboard/shared/chart-specs.js';
import { pluginChartSpecs } from '../../src/dashboard/shared/plugin-chart-specs.js';

/** The plug-in charts derived from a run's column names, and the chart keys the URL may name. */

const CORE = ['loss', 'cos_1_1', 'E_1_2', 'E_dist_I', 'E_offdiag_max', 'wnorm_1', 'subshare_1'];

describe('pluginChartSpecs', () => {
  it('makes no chart for the core series alone', () => {
    expect(pluginChartSpecs(CORE)).toEqual([]);
  });

  it('makes the predictors chart of three distances, then one chart per plug-in: built-ins first, then by name', () => {
    const names = [
      ...CORE,
      'signalShare.w1',
      'headAsym.peak',
      'predictors.Estar_1_2',
      'predictors.dist_Estar',
      'predictors.dist_WDP',
      'grads.W',
      'headAsym.asym',
      'rank.online',
      'rank.target',
    ];
    const specs = pluginChartSpecs(names);
    expect(specs.map((s) => s.key)).toEqual(['predictors', 'plugin:rank', 'plugin:grads', 'plugin:headAsym', 'plugin:signalShare']);
    const [predictors, , , headAsym] = specs;
    expect(predictors.title).toBe('Closed-form predictors');
    expect(predictors.series.map((d) => [d.key, d.label])).toEqual([
      ['E_dist_I', '‖E − I‖F'],
      ['predictors.dist_Estar', '‖E − E*‖F'],
      ['predictors.dist_WDP', '‖E − W_DP‖F'],
    ]);
    // Titled by the plug-in's name, one line per series, labelled by its key.
    expect(headAsym.title).toBe('headAsym');
    expect(headAsym.series.map((d) => [d.key, d.label])).toEqual([
      ['headAsym.asym', 'asym'],
      ['headAsym.peak', 'peak'],
    ]);
  });

  it('orders a plug-in’s series naturally and keeps their colours when a later one arrives', () => {
    // The first three colours of the categorical palette (palette.ts).
    const first = pluginChartSpecs(['signalShare.w2', 'signalShare.w1'])[0];
    expect(first.series.map((d) => [d.label, d.color])).toEqual([
      ['w1', '#1f5fbf'],
      ['w2', '#c2410c'],
    ]);
    const later = pluginChartSpecs(['signalShare.w2', 'signalShare.w10', 'signalShare.w1'])[0];
    expect(later.series.map((d) => [d.label, d.color])).toEqual([
      ['w1', '#1f5fbf'],
      ['w2', '#c2410c'],
      ['w10', '#15803d'],
    ]);
  });

  it('ignores names that are not `<plugin>.<key>`', () => {
    expect(pluginChartSpecs(['.x', 'x.', 'plain'])).toEqual([]);
  });
});

describe('chart keys', () => {
  it('reads fixed, predictors and well-formed plug-in keys; refuses anything else', () => {
    expect(parseChartKey('loss')).toBe('loss');
    expect(parseChartKey('predictors')).toBe('predictors');
    expect(parseChartKey('plugin:headAsym')).toBe('plugin:headAsym');
    expect(parseChartKey('plugin:my-metric_2')).toBe('plugin:my-metric_2');
    for (const bad of ['', 'Loss', 'plugin:', 'plugin:1x', 'plugin:a.b', 'plugin:<script>', 'headAsym']) expect(parseChartKey(bad)).toBeNull();
  });

  it('names a plug-in chart `plugin:<name>` and its test id without the colon', () => {
    expect(pluginChartKey('headAsym')).toBe('plugin:headAsym');
    expect(chartTestId('plugin:headAsym')).toBe('plugin-headAsym');
    expect(chartTestId('loss')).toBe('loss');
  });
});
