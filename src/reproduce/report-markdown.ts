import type { Finding, Section } from './findings/finding.js';

export interface ReportMeta {
  readonly command: string;
  readonly date: string;
  readonly seconds: number;
  readonly cores: number;
  readonly versions: Readonly<Record<string, string>>;
  readonly backend: string;
  readonly runs: number;
  readonly database: string;
}

const VERDICT_TEXT: Record<Finding['verdict'], string> = { holds: '✅ holds', 'does not hold': '❌ does not hold', 'not reached': '⏳ not reached', answered: '💬 answered' };

/** A markdown table cell: pipes escaped, line breaks flattened. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const [header, ...body] = rows;
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

const anchor = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .trim()
    // As GitHub does: every space becomes a hyphen, so `m = 64` gives `m--64`.
    .replace(/ /g, '-');

/**
 * The reproduction report as markdown: what was run and how to rerun it, a summary table (claim,
 * what the paper or notes say, what was measured, verdict), then one section per experiment
 * with its figures, its findings and the runs behind them.
 */
export function reportMarkdown(sections: readonly Section[], meta: ReportMeta): string {
  const numbered = sections.map((s, i) => ({ ...s, number: i + 1 }));
  const summary = table([
    ['', 'claim or question', 'the paper / notes say', 'measured', 'verdict'],
    ...numbered.flatMap((s) => s.findings.map((f, j) => [`[${s.number}.${j + 1}](#${anchor(`${s.number}. ${s.title}`)})`, f.claim, f.expected, f.measured, VERDICT_TEXT[f.verdict]])),
  ]);
  const versions = Object.entries(meta.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const body = numbered.map((s) => {
    const figures = s.figures.map((f) => `![${f.title}](figures/${f.name}.png)\n\n*${f.caption}*`).join('\n\n');
    const findings = s.findings.map((f, j) => `**${s.number}.${j + 1} ${f.claim}** — ${VERDICT_TEXT[f.verdict]}. ${f.measured.replace(/\.$/, '')}.`).join('\n\n');
    const runs = s.runs.length > 1 ? `<details><summary>The runs (${s.runs.length - 1})</summary>\n\n${table(s.runs)}\n\n</details>` : '';
    const rerun = s.rerun.length ? `Rerun one:\n\n\`\`\`sh\n${s.rerun.join('\n')}\n\`\`\`` : '';
    return [`## ${s.number}. ${s.title}`, s.text, figures, findings, runs, rerun].filter(Boolean).join('\n\n');
  });
  const minutes = (meta.seconds / 60).toFixed(1);
  return `${[
    '# Reproducing Wen & Li (NeurIPS 2022) with phasewatch',
    `This report checks, one by one, the claims of *The Mechanism of Prediction Head in Non-contrastive Self-supervised Learning* and of the study notes SPEC.md is read from, on the paper’s model: a one-layer cubic encoder, a trainable identity-initialised prediction head, BatchNorm and a stop-gradient target, trained on synthetic patches with a strong feature v₁ and a weak one v₂.`,
    `Made by \`${meta.command}\` on ${meta.date} in ${minutes} minutes on ${meta.cores} CPU cores (${meta.runs} runs, backend ${meta.backend}; ${versions}). ` +
      `Every run was recorded in \`runs.db\` beside this report (not kept in the repository: the command above writes it again; \`phasewatch runs --db ${meta.database}\` lists them with their names and seeds, \`phasewatch export <id> --db ${meta.database}\` gives every step); each section ends with the command that reruns one of its runs, and any run reruns bit for bit from its seed and config on the same backend.`,
    '## Summary',
    summary,
    ...body,
  ].join('\n\n')}\n`;
}
