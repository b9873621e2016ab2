/**
 * The `key.path=value` assignment lists of the start and branch forms (the same `--set` syntax
 * as the command line). Pure functions; no DOM.
 */

const MAX_SETS = 64;
const MAX_SET_LENGTH = 256;

/**
 * Reads an overrides textarea: one `key.path=value` per line; blank lines and `#` comments are
 * skipped. Returns the assignments, or the first problem (with its line number).
 */
export function parseOverrides(text: string): { sets: string[] } | { error: string } {
  const sets: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { error: `line ${i + 1}: expected key=value, got "${line}"` };
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][\w.-]*$/.test(key)) return { error: `line ${i + 1}: "${key}" is not a config key (like optim.lrE)` };
    const assignment = `${key}=${line.slice(eq + 1).trim()}`;
    if (assignment.length > MAX_SET_LENGTH) return { error: `line ${i + 1}: longer than ${MAX_SET_LENGTH} characters` };
    sets.push(assignment);
  }
  if (sets.length > MAX_SETS) return { error: `at most ${MAX_SETS} overrides` };
  return { sets };
}

/** The key of a `key=value` line (trimmed), or null for a blank line, a comment or a line without `=`. */
function keyOf(line: string): string | null {
  const t = line.trim();
  if (!t || t.startsWith('#')) return null;
  const eq = t.indexOf('=');
  return eq > 0 ? t.slice(0, eq).trim() : null;
}

/**
 * Adds assignments to a patch text: a line that sets the same key is replaced in place (a second
 * click on "Adam" does not pile up duplicates, and `optim.lrE=0` then "Adam" leaves one lrE),
 * the others are appended on lines of their own.
 */
export function applyAssignments(text: string, sets: readonly string[]): string {
  const lines = text.split(/\r?\n/);
  // A trailing empty line is where the user would type next; do not count it as content.
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  for (const set of sets) {
    const key = keyOf(set);
    const at = key === null ? -1 : lines.findIndex((line) => keyOf(line) === key);
    if (at >= 0) lines[at] = set;
    else lines.push(set);
  }
  return lines.join('\n');
}

/** Whether every assignment is already in the text exactly (a suggestion shown as applied). */
export function hasAssignments(text: string, sets: readonly string[]): boolean {
  const present = new Set(text.split(/\r?\n/).map((line) => line.trim().replace(/\s*=\s*/, '=')));
  return sets.every((s) => present.has(s));
}
