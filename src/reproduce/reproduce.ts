import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { tf } from '../model/tf.js';
import { Store } from '../store/store.js';
import { executePlan, readExecutedPlan } from './execute-plan.js';
import type { FigureSpec } from './figure-spec.js';
import type { FindingContext, Section } from './findings/finding.js';
import { paper64Section, predictorSection } from './findings/heads.js';
import { ablationsSection, phasesSection } from './findings/phases.js';
import { branchSection, questionsSection } from './findings/questions.js';
import { scalingSection } from './findings/scaling.js';
import { reproducePlan } from './plan.js';
import { assertCanRender, renderFigures } from './render-figures.js';
import { reportMarkdown } from './report-markdown.js';

export interface ReproduceOptions {
  readonly quick?: boolean;
  readonly seeds?: number;
  readonly maxSteps?: number;
  /** Train nothing: read the runs already in `outDir`/runs.db (made with the same plan options) and write the report again. */
  readonly reportOnly?: boolean;
  /** Where REPORT.md, figures/ and runs.db go. */
  readonly outDir: string;
  readonly backend: string;
  readonly jobs?: number;
  /** The built dashboard, which holds the figure page. */
  readonly dashboardDir: string;
  readonly chromium?: string;
  /** The command line, as the report records it. */
  readonly command: string;
  readonly write: (text: string) => void;
}

export interface ReproduceResult {
  readonly report: string;
  readonly figures: readonly string[];
  readonly sections: readonly Section[];
}

/** Rough wall-clock minutes on two cores, said before starting (measured on the reference machine). */
const EXPECTED_MINUTES = { quick: 3, full: 18 };

/** Whether a figure's first series has a value to draw (every figure leads with its data). */
const hasData = (spec: FigureSpec) => (spec.series[0]?.y ?? []).some((v) => v !== null && Number.isFinite(v));

function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  const candidates = [file, fileURLToPath(new URL('../../../package.json', import.meta.url))];
  for (const candidate of candidates) {
    if (!fs.existsSync(candidate)) continue;
    const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'phasewatch') return pkg.version ?? '?';
  }
  return '?';
}

/**
 * `phasewatch reproduce`: trains every experiment of the plan on the worker pool, reads the
 * claims off the stored runs, draws the figures in headless Chromium and writes REPORT.md.
 * The database is made afresh in `outDir` so that the report describes exactly its runs.
 */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const plan = reproducePlan({ quick: options.quick, seeds: options.seeds, maxSteps: options.maxSteps });
  // Fail before minutes of training, not after them.
  assertCanRender(options);
  const jobs = options.jobs ?? availableParallelism();
  fs.mkdirSync(options.outDir, { recursive: true });
  const dbPath = path.join(options.outDir, 'runs.db');
  if (options.reportOnly && !fs.existsSync(dbPath)) throw new UsageError(`--report-only: no ${dbPath} to read; run \`phasewatch reproduce\` first`);
  if (!options.reportOnly) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbPath + suffix, { force: true });
  const expected = EXPECTED_MINUTES[plan.quick ? 'quick' : 'full'] * (2 / Math.min(jobs, 2));
  if (!options.reportOnly) options.write(
    `reproduce${plan.quick ? ' --quick' : ''}: ${plan.runs.length} runs and ${plan.branch.seeds.length} branch families on ${jobs} worker thread(s)` +
      `${plan.maxSteps !== null ? `, at most ${plan.maxSteps} steps each` : ''} — expect about ${plan.maxSteps !== null ? 'a minute' : `${expected.toFixed(0)} minutes`} → ${options.outDir}\n`,
  );
  const store = Store.open(dbPath);
  try {
    const executed = options.reportOnly ? readExecutedPlan(plan, store) : await executePlan(plan, { store, backend: options.backend, jobs, write: options.write });
    const ctx: FindingContext = { store, plan: executed };
    // A figure none of whose runs reached what it plots (a short budget) is left out, not drawn empty.
    const sections = [phasesSection(ctx), ablationsSection(ctx), scalingSection(ctx), paper64Section(ctx), predictorSection(ctx), branchSection(ctx), questionsSection(ctx)].map((section) => ({
      ...section,
      figures: section.figures.filter(hasData),
    }));
    const specs = sections.flatMap((s) => s.figures);
    options.write(`  drawing ${specs.length} figures in headless Chromium…\n`);
    const figures = await renderFigures(specs, { dashboardDir: options.dashboardDir, outDir: path.join(options.outDir, 'figures'), chromium: options.chromium });
    const report = path.join(options.outDir, 'REPORT.md');
    const markdown = reportMarkdown(sections, {
      command: options.command,
      date: new Date().toISOString().slice(0, 10),
      seconds: executed.seconds,
      cores: availableParallelism(),
      versions: { phasewatch: packageVersion(), Node: process.version, 'TensorFlow.js': tf.version_core },
      // A report written again names the backend the runs were trained on.
      backend: options.reportOnly ? (store.getRun(executed.runs[0]?.runId ?? -1)?.backend ?? options.backend) : options.backend,
      runs: executed.runs.length + executed.families.reduce((n, f) => n + 1 + f.branches.length, 0),
      database: path.relative(process.cwd(), dbPath) || dbPath,
    });
    fs.writeFileSync(report, markdown);
    const verdicts = sections.flatMap((s) => s.findings.map((f) => f.verdict));
    options.write(`  ${verdicts.filter((v) => v === 'holds').length} claims hold, ${verdicts.filter((v) => v === 'does not hold').length} do not, ${verdicts.filter((v) => v === 'not reached').length} not reached, ${verdicts.filter((v) => v === 'answered').length} questions answered → ${report}\n`);
    return { report, figures, sections };
  } finally {
    store.close();
  }
}
