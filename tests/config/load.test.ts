import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAssignments, resolveConfig, validateConfig } from '../../src/config/load.js';
import { PRESETS, PRESET_NAMES } from '../../src/config/presets.js';
import { initScale, viewSizes, type RunConfig } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'phasewatch-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTemp(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, 'utf8');
  return path;
}

/** Every leaf of a config as `a.b.c → value` (arrays are leaves). */
function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** The leaves where `config` differs from `base`, with the value in `config`. */
function diff(base: RunConfig, config: RunConfig): Record<string, unknown> {
  const a = leaves(base);
  const b = leaves(config);
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  const out: Record<string, unknown> = {};
  for (const [key, value] of b) if (JSON.stringify(value) !== JSON.stringify(a.get(key))) out[key] = value;
  return out;
}

/** Runs `fn`, expects a ConfigError, and returns its message. */
function configErrorOf(fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return (caught as ConfigError).message;
}

const defaults = resolveConfig({}).config;

describe('resolveConfig defaults (SPEC §5)', () => {
  it('has every SPEC §5 default, field by field', () => {
    const { config, preset } = resolveConfig({});
    // With no preset named anywhere, the run is based on the `default` preset.
    expect(preset).toBe('default');
    expect(config.data.d).toBe(64);
    expect(config.data.P).toBe(16);
    expect(config.data.k).toBe(4);
    expect(config.model.m).toBe(2);
    expect(config.data.alpha1).toBe(1);
    expect(config.data.alpha2).toBe(0.8);
    expect(config.data.sigmaXi).toBe(0.34);
    expect(config.data.pStrong).toBe(0.5);
    expect(config.data.batchSize).toBe(1024);
    expect(config.data.noise).toBe('projected');
    expect(config.data.features).toBe('axis');
    expect(config.data.viewSize).toBeNull();
    expect(viewSizes(config)).toEqual([8, 8]);
    expect(config.init.mode).toBe('controlled');
    expect(config.init.sigma0).toBeNull();
    expect(initScale(config)).toBe(1 / Math.sqrt(64));
    expect(config.init.overlap).toEqual([
      [1.5, 1],
      [1, 1.3],
    ]);
    expect(config.model.activation).toBe('cubic');
    expect(config.model.weightNorm).toBe('none');
    expect(config.optim.kind).toBe('sgd');
    expect(config.optim.lrW).toBe(0.01);
    expect(config.optim.lrE).toBe(0.001);
    expect(config.optim.beta1).toBe(0.9);
    expect(config.optim.beta2).toBe(0.999);
    expect(config.optim.eps).toBe(1e-8);
    expect(config.head.mode).toBe('offdiag');
    expect(config.norm.mode).toBe('bn');
    expect(config.norm.eps).toBeLessThanOrEqual(1e-8);
    expect(config.stopGrad.mode).toBe('target');
    expect(config.steps).toBe(30_000);
  });

  it('the default preset is the defaults', () => {
    const { config, preset } = resolveConfig({ preset: 'default' });
    expect(preset).toBe('default');
    expect(config).toEqual(defaults);
  });

  it('validateConfig({}) fills the same defaults', () => {
    expect(validateConfig({})).toEqual(defaults);
  });
});

describe('presets', () => {
  /** What each preset's description (and SPEC §4/§5) says it changes. */
  const expected: Record<string, Record<string, unknown>> = {
    default: {},
    adam: { 'optim.kind': 'adam', 'optim.lrW': 0.003, 'optim.lrE': 0.003, steps: 12_000 },
    // The description names m = 64 and Adam at lr 0.003; the 12k steps and the sparser metric
    // logging are run-length/logging settings it does not mention but which the math ignores.
    'paper-64': { 'model.m': 64, 'optim.kind': 'adam', 'optim.lrW': 0.003, 'optim.lrE': 0.003, steps: 12_000, 'log.metricsEvery': 20 },
    'head-none': { 'head.mode': 'none' },
    'head-full': { 'head.mode': 'full' },
    'eta-ratio-0.01': { 'optim.lrE': 0.0001 },
    'eta-ratio-0.03': { 'optim.lrE': 0.0003 },
    'eta-ratio-0.3': { 'optim.lrE': 0.003 },
    'eta-ratio-1': { 'optim.lrE': 0.01 },
    'no-bn': { 'norm.mode': 'off' },
    'l2-norm': { 'norm.mode': 'l2' },
    'stopgrad-online': { 'stopGrad.mode': 'online' },
    'stopgrad-none': { 'stopGrad.mode': 'none' },
    'weight-norm': { 'model.weightNorm': 'unit' },
    'random-init': { 'init.mode': 'random' },
  };

  it('ships the presets SPEC §5 asks for', () => {
    for (const name of ['default', 'adam', 'paper-64', 'head-none', 'eta-ratio-0.01', 'eta-ratio-1', 'no-bn', 'l2-norm', 'stopgrad-online', 'stopgrad-none', 'head-full', 'weight-norm', 'random-init']) {
      expect(PRESET_NAMES).toContain(name);
    }
  });

  it.each(PRESET_NAMES.map((name) => [name]))('%s resolves and differs from the defaults exactly as described', (name) => {
    const { config, preset } = resolveConfig({ preset: name });
    expect(preset).toBe(name);
    expect(Object.keys(expected)).toContain(name);
    const changed = diff(defaults, config);
    const want = expected[name];
    expect(Object.keys(changed).sort()).toEqual(Object.keys(want).sort());
    for (const [key, value] of Object.entries(want)) {
      if (typeof value === 'number') expect(changed[key] as number).toBeCloseTo(value, 12);
      else expect(changed[key]).toEqual(value);
    }
    expect(PRESETS[name].description.length).toBeGreaterThan(0);
    expect(PRESETS[name].expected.length).toBeGreaterThan(0);
  });

  it('eta-ratio-r presets set η_E = r·η with the default η', () => {
    for (const name of PRESET_NAMES.filter((n) => n.startsWith('eta-ratio-'))) {
      const ratio = Number(name.slice('eta-ratio-'.length));
      const { config } = resolveConfig({ preset: name });
      expect(config.optim.lrW).toBe(0.01);
      expect(config.optim.lrE / config.optim.lrW).toBeCloseTo(ratio, 12);
    }
  });

  it('resolving a preset does not mutate the preset table', () => {
    const before = JSON.stringify(PRESETS);
    resolveConfig({ preset: 'adam', sets: ['optim.lrW=0.5'], overrides: { optim: { lrE: 0.25 } } });
    expect(JSON.stringify(PRESETS)).toBe(before);
    expect(resolveConfig({ preset: 'adam' }).config.optim.lrW).toBe(0.003);
  });
});

describe('--set assignments', () => {
  it('parses numbers, strings, nulls and arrays into a nested object', () => {
    expect(parseAssignments(['optim.lrW=0.02', 'head.mode=none', 'data.alpha=[1,2]', 'init.sigma0=null', 'seed=7'])).toEqual({
      optim: { lrW: 0.02 },
      head: { mode: 'none' },
      data: { alpha: [1, 2] },
      init: { sigma0: null },
      seed: 7,
    });
  });

  it('applies them to the config, with YAML scalars read as numbers and words as strings', () => {
    const { config } = resolveConfig({
      sets: ['optim.lrW=0.02', 'head.mode=none', 'init.overlap=[[1, 0.5], [0.5, 1]]', 'optim.lrE=1e-4', 'data.d=32', 'norm.mode=off', 'data.noise=explicit'],
    });
    expect(config.optim.lrW).toBe(0.02);
    expect(config.optim.lrE).toBe(1e-4);
    expect(config.head.mode).toBe('none');
    expect(config.init.overlap).toEqual([
      [1, 0.5],
      [0.5, 1],
    ]);
    expect(config.data.d).toBe(32);
    // `off` must stay the string "off" (YAML 1.1 would read it as false).
    expect(config.norm.mode).toBe('off');
    expect(config.data.noise).toBe('explicit');
    // Untouched fields keep their defaults.
    expect(config.optim.kind).toBe('sgd');
    expect(config.data.P).toBe(16);
  });

  it('a later assignment of the same field wins', () => {
    expect(resolveConfig({ sets: ['optim.lrW=0.02', 'optim.lrW=0.03'] }).config.optim.lrW).toBe(0.03);
  });

  it('refuses an assignment without "="', () => {
    const message = configErrorOf(() => resolveConfig({ sets: ['foo'] }));
    expect(message).toContain('foo');
    expect(message).toContain('=');
  });

  it('refuses an assignment with an empty key or a malformed path', () => {
    expect(configErrorOf(() => parseAssignments(['=3']))).toContain('=3');
    expect(configErrorOf(() => parseAssignments(['optim..lrW=3']))).toContain('optim..lrW');
  });

  it('cannot pollute Object.prototype through a __proto__ path', () => {
    const probe = 'phasewatchPolluted';
    try {
      try {
        parseAssignments([`__proto__.${probe}=1`]);
      } catch (error) {
        // Refusing the path is fine; it must be a ConfigError.
        expect(error).toBeInstanceOf(ConfigError);
      }
      expect(Object.hasOwn(Object.prototype, probe)).toBe(false);
      expect(({} as Record<string, unknown>)[probe]).toBeUndefined();
    } finally {
      delete (Object.prototype as Record<string, unknown>)[probe];
    }
  });
});

describe('config files', () => {
  it('reads a YAML file with a preset key and partial settings', () => {
    const file = writeTemp('run.yaml', ['preset: adam', 'optim:', '  lrE: 0.0005', 'data:', '  d: 32', '  noise: explicit', ''].join('\n'));
    const { config, preset } = resolveConfig({ file });
    expect(preset).toBe('adam');
    expect(config.optim.kind).toBe('adam'); // from the preset
    expect(config.optim.lrW).toBe(0.003); // from the preset
    expect(config.optim.lrE).toBe(0.0005); // from the file
    expect(config.steps).toBe(12_000); // from the preset
    expect(config.data.d).toBe(32);
    expect(config.data.noise).toBe('explicit');
    expect(config.data.P).toBe(16); // default
  });

  it('reads a JSON file with a preset key and partial settings', () => {
    const file = writeTemp('run.json', JSON.stringify({ preset: 'head-none', model: { m: 3 }, steps: 500 }));
    const { config, preset } = resolveConfig({ file });
    expect(preset).toBe('head-none');
    expect(config.head.mode).toBe('none');
    expect(config.model.m).toBe(3);
    expect(config.steps).toBe(500);
    expect(config.optim).toEqual(defaults.optim);
  });

  it('an empty YAML file is an empty partial config', () => {
    const file = writeTemp('empty.yaml', '');
    expect(resolveConfig({ file }).config).toEqual(defaults);
  });

  it('precedence: preset < file < sets < overrides, field by field', () => {
    const file = writeTemp('prec.yaml', ['preset: adam', 'optim:', '  lrW: 0.1', '  lrE: 0.2', '  beta1: 0.5', ''].join('\n'));
    const { config } = resolveConfig({
      file,
      sets: ['optim.lrE=0.3', 'optim.beta1=0.6'],
      overrides: { optim: { beta1: 0.7 } },
    });
    expect(config.optim.kind).toBe('adam'); // preset only
    expect(config.optim.lrW).toBe(0.1); // file beats preset
    expect(config.optim.lrE).toBe(0.3); // sets beat file
    expect(config.optim.beta1).toBe(0.7); // overrides beat sets
    expect(config.optim.beta2).toBe(0.999); // default
    expect(config.steps).toBe(12_000); // preset
  });

  it('an explicit preset replaces the file’s preset, and the file still applies over it', () => {
    const file = writeTemp('both.yaml', ['preset: adam', 'steps: 77', ''].join('\n'));
    const { config, preset } = resolveConfig({ preset: 'head-none', file });
    expect(preset).toBe('head-none');
    expect(config.head.mode).toBe('none');
    expect(config.optim.kind).toBe('sgd');
    expect(config.steps).toBe(77);
  });

  it('a missing file is a ConfigError naming the path', () => {
    const path = join(dir, 'does-not-exist.yaml');
    const message = configErrorOf(() => resolveConfig({ file: path }));
    expect(message).toContain(path);
  });

  it('an unparsable JSON file is a ConfigError naming the path and the format', () => {
    const path = writeTemp('bad.json', '{ "optim": { "lrW": 0.1, ');
    const message = configErrorOf(() => resolveConfig({ file: path }));
    expect(message).toContain(path);
    expect(message).toContain('JSON');
  });

  it('an unparsable YAML file is a ConfigError naming the path and the format', () => {
    const path = writeTemp('bad.yaml', 'optim: [1, 2\n  lrW: : 0.1\n');
    const message = configErrorOf(() => resolveConfig({ file: path }));
    expect(message).toContain(path);
    expect(message).toContain('YAML');
  });

  it('a file whose top level is not a mapping is refused', () => {
    const path = writeTemp('list.yaml', '- 1\n- 2\n');
    expect(configErrorOf(() => resolveConfig({ file: path }))).toContain(path);
  });

  it('a non-string preset key in a file is refused', () => {
    const path = writeTemp('badpreset.json', JSON.stringify({ preset: 5 }));
    expect(configErrorOf(() => resolveConfig({ file: path }))).toContain('preset');
  });
});

describe('config errors', () => {
  it('a negative learning rate names the field, the value and the bound', () => {
    const message = configErrorOf(() => resolveConfig({ sets: ['optim.lrW=-1'] }));
    expect(message).toContain('optim.lrW');
    expect(message).toContain('-1');
    expect(message).toContain('≥ 0');
  });

  it('phase detection settings: watch any series by name; bad names and out-of-range values are refused by field', () => {
    expect(defaults.phases.theory.enabled).toBe(true);
    expect(defaults.phases.changePoints.series).toEqual(['loss']);
    const { config } = resolveConfig({ sets: ['phases.changePoints.series=[loss, E_2_1, my.metric]', 'phases.changePoints.warmup=30'] });
    expect(config.phases.changePoints.series).toEqual(['loss', 'E_2_1', 'my.metric']);
    expect(config.phases.changePoints.warmup).toBe(30);
    expect(configErrorOf(() => resolveConfig({ sets: ['phases.changePoints.series=["two words"]'] }))).toContain('phases.changePoints.series.0');
    const drop = configErrorOf(() => resolveConfig({ sets: ['phases.theory.peakDrop=1.5'] }));
    expect(drop).toContain('phases.theory.peakDrop');
    expect(drop).toContain('1.5');
    expect(configErrorOf(() => resolveConfig({ sets: ['phases.changePoints.bocpd.threshold=0'] }))).toContain('phases.changePoints.bocpd.threshold');
  });

  it('an unknown enum value lists the allowed values', () => {
    const message = configErrorOf(() => resolveConfig({ sets: ['head.mode=sideways'] }));
    expect(message).toContain('head.mode');
    expect(message).toContain('sideways');
    for (const allowed of ['offdiag', 'full', 'none']) expect(message).toContain(allowed);
  });

  it('an unknown field says so and lists the allowed fields', () => {
    const message = configErrorOf(() => resolveConfig({ sets: ['optim.lrw=0.1'] }));
    expect(message).toContain('optim.lrw');
    expect(message).toMatch(/unknown field/i);
    for (const allowed of ['kind', 'lrW', 'lrE', 'beta1', 'beta2', 'eps']) expect(message).toContain(allowed);
  });

  it('an unknown top-level field lists the top-level groups', () => {
    const message = configErrorOf(() => resolveConfig({ overrides: { optimiser: {} } }));
    expect(message).toContain('optimiser');
    for (const allowed of ['seed', 'steps', 'data', 'optim']) expect(message).toContain(allowed);
  });

  it('k > P is refused naming data.k', () => {
    const message = configErrorOf(() => resolveConfig({ sets: ['data.k=20'] }));
    expect(message).toContain('data.k');
    expect(message).toContain('20');
    expect(message).toContain('16');
  });

  it('a view that leaves view 2 empty is refused naming data.viewSize', () => {
    expect(configErrorOf(() => resolveConfig({ sets: ['data.viewSize=16'] }))).toContain('data.viewSize');
  });

  it('a wrong type names the field and the expected type', () => {
    const message = configErrorOf(() => resolveConfig({ sets: ['data.d=wide'] }));
    expect(message).toContain('data.d');
    expect(message).toContain('wide');
    expect(message).toContain('number');
  });

  it('a non-integer count is refused', () => {
    expect(configErrorOf(() => resolveConfig({ sets: ['data.P=16.5'] }))).toContain('data.P');
  });

  it('controlled init with overlaps that do not fit in a unit vector is refused', () => {
    // σ_0 = 1/√4 = 0.5, overlap column 1 = (1.5, 1): in-span norm 0.5·√3.25 ≈ 0.90 < 1 is fine,
    // but with σ_0 = 1 it is √3.25 ≈ 1.80 ≥ 1.
    expect(() => resolveConfig({ sets: ['data.d=4'] })).not.toThrow();
    expect(configErrorOf(() => resolveConfig({ sets: ['init.sigma0=1'] }))).toContain('init.overlap');
  });

  it('several problems are all reported', () => {
    const error = (() => {
      try {
        resolveConfig({ sets: ['optim.lrW=-1', 'head.mode=sideways'] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const { message, issues } = error as ConfigError;
    expect(message).toContain('optim.lrW');
    expect(message).toContain('head.mode');
    expect(issues.length).toBe(2);
  });

  it('an unknown preset lists the known presets', () => {
    const message = configErrorOf(() => resolveConfig({ preset: 'turbo' }));
    expect(message).toContain('turbo');
    for (const name of PRESET_NAMES) expect(message).toContain(name);
  });

  it('an unknown preset named in a file is refused the same way', () => {
    const file = writeTemp('turbo.yaml', 'preset: turbo\n');
    const message = configErrorOf(() => resolveConfig({ file }));
    expect(message).toContain('turbo');
    expect(message).toContain('adam');
  });

  it('errors carry the E_CONFIG code', () => {
    let caught: unknown;
    try {
      resolveConfig({ sets: ['optim.lrW=-1'] });
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).code).toBe('E_CONFIG');
    expect((caught as ConfigError).name).toBe('ConfigError');
  });
});
