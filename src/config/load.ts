import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { PRESETS, PRESET_NAMES, isPresetName, type PresetName } from './presets.js';
import { RunConfigSchema, type RunConfig } from './schema.js';

type Plain = Record<string, unknown>;

/** Where a config comes from; later sources override earlier ones, field by field. */
export interface ConfigSources {
  /** A preset name; a config file may also name one with a top-level `preset` key. */
  preset?: string;
  /** Path of a JSON or YAML file with a partial config. */
  file?: string;
  /** `a.b=value` assignments; values are read as YAML, so `0.01`, `none`, `[1, 2]` all work. */
  sets?: readonly string[];
  /** A partial config from code, applied last. */
  overrides?: Plain;
}

export interface ResolvedConfig {
  readonly config: RunConfig;
  readonly preset: PresetName;
}

/**
 * Builds a validated config from a preset, a file, `--set` assignments and code overrides.
 *
 * @example resolveConfig({ preset: 'adam', sets: ['optim.lrW=0.001'] })
 * @throws ConfigError naming the field, the value given and what is allowed.
 */
export function resolveConfig(sources: ConfigSources = {}): ResolvedConfig {
  const fromFile = sources.file ? readConfigFile(sources.file) : {};
  const fileSettings: Plain = { ...fromFile };
  const filePreset = fileSettings.preset;
  delete fileSettings.preset;
  if (filePreset !== undefined && typeof filePreset !== 'string') {
    throw new ConfigError(`preset: expected a preset name, got ${JSON.stringify(filePreset)}`);
  }
  // Without a preset named anywhere, the run starts from the defaults: the `default` preset.
  const presetName = sources.preset ?? filePreset ?? 'default';
  if (!isPresetName(presetName)) {
    throw new ConfigError(`preset: unknown preset ${JSON.stringify(presetName)}; known presets: ${PRESET_NAMES.join(', ')}`);
  }
  let merged: Plain = structuredClone(PRESETS[presetName].config as Plain);
  merged = deepMerge(merged, fileSettings);
  merged = deepMerge(merged, parseAssignments(sources.sets ?? []));
  merged = deepMerge(merged, sources.overrides ?? {});
  return { config: validateConfig(merged), preset: presetName };
}

/**
 * Validates a raw config object against the schema and fills in defaults.
 * @throws ConfigError listing every problem, each naming field, value and what is allowed.
 */
export function validateConfig(raw: unknown): RunConfig {
  const parsed = RunConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => describeIssue(issue, raw));
  throw new ConfigError(issues.length === 1 ? `invalid config: ${issues[0]}` : `invalid config:\n  ${issues.join('\n  ')}`, issues);
}

/** Reads a partial config from a JSON or YAML file. */
export function readConfigFile(path: string): Plain {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (!isPlain(value)) throw new ConfigError(`config file ${path}: expected a mapping of settings at the top level`);
  return value;
}

/** Keys that would reach Object.prototype instead of a config field. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Turns `['optim.lrW=0.01', 'head.mode=none']` into a nested partial config. */
export function parseAssignments(assignments: readonly string[]): Plain {
  const out: Plain = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set ${JSON.stringify(assignment)}: expected key.path=value, e.g. optim.lrW=0.01`);
    const path = assignment.slice(0, eq).trim().split('.');
    if (path.some((part) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(part) || FORBIDDEN_KEYS.has(part))) {
      throw new ConfigError(`--set ${JSON.stringify(assignment)}: ${JSON.stringify(assignment.slice(0, eq))} is not a dotted field path`);
    }
    const text = assignment.slice(eq + 1).trim();
    let value: unknown;
    try {
      value = text === '' ? '' : YAML.parse(text);
    } catch {
      value = text;
    }
    let node = out;
    path.slice(0, -1).forEach((part) => {
      if (!Object.hasOwn(node, part) || !isPlain(node[part])) node[part] = {};
      node = node[part] as Plain;
    });
    node[path[path.length - 1]] = value;
  }
  return out;
}

/** Merges plain objects recursively; arrays and scalars from `over` replace those in `base`. */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isPlain(value) && isPlain(out[key]) ? deepMerge(out[key] as Plain, value) : value;
  }
  return out;
}

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DEFAULTS = RunConfigSchema.parse({}) as unknown as Plain;

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const field = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const allowed = Object.keys(valueAt(DEFAULTS, issue.path) ?? {});
    const where = issue.path.length ? issue.path.map(String).join('.') + '.' : '';
    return `${issue.keys.map((key) => where + key).join(', ')}: unknown field; allowed here: ${allowed.join(', ')}`;
  }
  const given = valueAt(raw, issue.path);
  const shown = given === undefined ? 'nothing' : JSON.stringify(given);
  return `${field}: got ${shown}; ${allowedText(issue)}`;
}

function allowedText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return `must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'too_big':
      return `must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'invalid_value':
      return `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected}`;
    default:
      return issue.message;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
