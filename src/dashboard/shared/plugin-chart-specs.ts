import { pluginChartKey, PREDICTORS_CHART, type ChartSpec, type SeriesDef } from './chart-specs.js';
import { colour, INK } from './palette.js';

/**
 * The charts of a run's metric plug-ins, derived from the series it records (`<plugin>.<key>`),
 * so a plug-in's chart appears as soon as its first value arrives and a new plug-in needs no
 * dashboard change. The built-in `predictors` plug-in gets a chart of its own (the distances of
 * the learned head to the closed-form predictors); its entries are shown as heat maps instead.
 */

/** The plug-in whose series make the predictors chart rather than a chart of their own. */
const PREDICTORS_PREFIX = 'predictors';
/** Built-in plug-ins first, in this order; the user's plug-ins follow by name. */
const BUILTIN_ORDER = ['rank', 'grads'];
/** What the built-ins' charts show (a user plug-in's chart lists its series instead). */
const BUILTIN_NOTES: Record<string, string> = {
  rank: 'effective rank of the representations’ correlations (m: uncorrelated, 1: collapsed)',
  grads: 'gradient norms per parameter group, ‖∂L/∂W‖F and ‖∂L/∂E‖F',
};

/** Natural order (`w2` before `w10`), so a plug-in's colours follow its own numbering. */
const natural = new Intl.Collator('en', { numeric: true }).compare;

/**
 * The chart specs for the plug-in series among `names` (a run's column names): the predictors
 * chart when `predictors.*` is recorded, then one chart per other plug-in prefix, with one line
 * per series. A series' colour depends only on its place among its plug-in's series in natural
 * order, so it is the same on every page, after a reload and for a related run.
 * @example pluginChartSpecs(['loss', 'headAsym.asym', 'headAsym.peak']) // one spec, key 'plugin:headAsym'
 */
export function pluginChartSpecs(names: readonly string[]): ChartSpec[] {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const dot = name.indexOf('.');
    if (dot <= 0 || dot === name.length - 1) continue;
    const prefix = name.slice(0, dot);
    const group = groups.get(prefix);
    if (group) group.push(name);
    else groups.set(prefix, [name]);
  }
  const specs: ChartSpec[] = [];
  if (groups.has(PREDICTORS_PREFIX)) specs.push(predictorsSpec());
  const prefixes = [...groups.keys()].filter((p) => p !== PREDICTORS_PREFIX).sort(byBuiltinThenName);
  for (const prefix of prefixes) {
    const keys = [...new Set(groups.get(prefix))].sort(natural);
    const labels = keys.map((key) => key.slice(prefix.length + 1));
    specs.push({
      key: pluginChartKey(prefix),
      title: prefix,
      note: BUILTIN_NOTES[prefix] ?? `plug-in series ${prefix}.${labels.length === 1 ? labels[0] : `{${labels.join(', ')}}`}`,
      series: keys.map((key, i): SeriesDef => ({ key, label: labels[i], color: colour(i) })),
    });
  }
  return specs;
}

/** ‖E − I‖ (as on the head chart), ‖E − E*‖ and ‖E − W_DP‖: which predictor the learned head follows. */
function predictorsSpec(): ChartSpec {
  return {
    key: PREDICTORS_CHART,
    title: 'Closed-form predictors',
    note: 'distance of the learned head E to the identity, to the optimal linear predictor E* and to DirectPred’s W_DP',
    series: [
      { key: 'E_dist_I', label: '‖E − I‖F', color: INK, width: 2 },
      { key: `${PREDICTORS_PREFIX}.dist_Estar`, label: '‖E − E*‖F', color: colour(0) },
      { key: `${PREDICTORS_PREFIX}.dist_WDP`, label: '‖E − W_DP‖F', color: colour(1) },
    ],
  };
}

function byBuiltinThenName(a: string, b: string): number {
  const ia = BUILTIN_ORDER.indexOf(a);
  const ib = BUILTIN_ORDER.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? BUILTIN_ORDER.length : ia) - (ib < 0 ? BUILTIN_ORDER.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}
