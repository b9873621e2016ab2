import { describe, expect, it } from 'vitest';
import { formatLogParam, isLogChart, parseLogParam, toggleAllLog, withLogChart, type LogCharts } from '../../src/dashboard/shared/log-charts.js';

/** Which charts draw a log axis, and how the URL's `log=` keeps it, plug-in charts included. */

interface ViewState {
  run: number | null;
  log: LogCharts;
  zoom: { from: number; to: number } | null;
}
// Imported by a path the type checker does not follow: url-state.ts needs the DOM's types (for
// its defaults, `location` and `history`), which the Node type check of tests/ does not have.
const URL_STATE_MODULE = '../../src/dashboard/shared/url-state.js';
const { readViewState, viewStateUrl } = (await import(URL_STATE_MODULE)) as {
  readViewState(search: string): ViewState;
  viewStateUrl(state: ViewState, current: URL): string;
};

const SHOWN = ['cosines', 'head', 'norms', 'loss', 'subshare', 'predictors', 'plugin:headAsym'] as const;
const url = (search: string) => new URL(`http://x/app${search}`);
const logOf = (search: string) => readViewState(search).log;
const written = (log: LogCharts) => viewStateUrl({ run: null, log, zoom: null }, url(''));

describe('log charts in the URL', () => {
  it('keeps the fixed charts’ format: absent = loss only, 1 = all, 0 = none, a list', () => {
    expect(logOf('')).toEqual(['loss']);
    expect(logOf('?log=1')).toBe('all');
    expect(logOf('?log=0')).toEqual([]);
    expect(logOf('?log=norms,loss')).toEqual(['norms', 'loss']);
    expect(written(['loss'])).toBe('/app');
    expect(written('all')).toBe('/app?log=1');
    expect(written([])).toBe('/app?log=0');
    expect(written(['loss', 'norms'])).toBe('/app?log=norms,loss');
  });

  it('names plug-in charts, unescaped, after the fixed ones; and tolerates unknown names', () => {
    expect(logOf('?log=plugin:headAsym,loss,predictors')).toEqual(['loss', 'plugin:headAsym', 'predictors']);
    expect(logOf('?log=loss,bogus,plugin:,plugin:a.b')).toEqual(['loss']);
    expect(logOf('?log=bogus')).toEqual([]);
    expect(written(['predictors', 'plugin:headAsym', 'head'])).toBe('/app?log=head,plugin:headAsym,predictors');
    // Round trip.
    expect(logOf(new URL(`http://x${written(['plugin:signalShare', 'norms'])}`).search)).toEqual(['norms', 'plugin:signalShare']);
  });

  it('reads and writes the parameter’s value itself', () => {
    expect(parseLogParam(null)).toEqual(['loss']);
    expect(parseLogParam(' plugin:b , plugin:a ,loss,loss')).toEqual(['loss', 'plugin:a', 'plugin:b']);
    expect(formatLogParam(['loss'])).toBeNull();
    expect(formatLogParam(['plugin:b', 'cosines', 'plugin:a'])).toBe('cosines,plugin:a,plugin:b');
  });

  it('leaves parameters it does not own alone', () => {
    expect(viewStateUrl({ run: 3, log: ['plugin:x'], zoom: { from: 1, to: 9 } }, url('?token=abc'))).toBe('/app?token=abc&run=3&log=plugin:x&from=1&to=9');
  });
});

describe('log chart toggles', () => {
  it('reads a chart as log under `all` or when named', () => {
    expect(isLogChart('all', 'plugin:anything')).toBe(true);
    expect(isLogChart(['loss'], 'loss')).toBe(true);
    expect(isLogChart(['loss'], 'plugin:headAsym')).toBe(false);
  });

  it('switches one chart; under `all`, off leaves every other chart shown on', () => {
    expect(withLogChart(['loss'], 'plugin:headAsym', true, SHOWN)).toEqual(['loss', 'plugin:headAsym']);
    expect(withLogChart(['loss', 'plugin:headAsym'], 'loss', false, SHOWN)).toEqual(['plugin:headAsym']);
    expect(withLogChart('all', 'head', true, SHOWN)).toBe('all');
    expect(withLogChart('all', 'head', false, SHOWN)).toEqual(['cosines', 'norms', 'loss', 'subshare', 'predictors', 'plugin:headAsym']);
  });

  it('`l` turns every chart on, and back to the default once all shown are', () => {
    expect(toggleAllLog(['loss'], SHOWN)).toBe('all');
    expect(toggleAllLog('all', SHOWN)).toEqual(['loss']);
    expect(toggleAllLog([...SHOWN], SHOWN)).toEqual(['loss']);
  });
});
