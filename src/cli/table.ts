/** Renders rows of plain values as an aligned text table with a header line. */
export function formatTable(rows: readonly Record<string, string | number | boolean | null>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  const cells = rows.map((row) => columns.map((c) => String(row[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map((c) => rows.every((row) => typeof row[c] === 'number'));
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}
