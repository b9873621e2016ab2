import type { z } from 'zod';

/** One line naming the first problems of a failed parse: `runs.0.step: expected number`. */
export function describeIssues(error: z.ZodError, max = 2): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.map((key) => String(key)).join('.');
    return `${path || '(message)'}: ${issue.message}`;
  });
  const more = error.issues.length - max;
  return parts.join('; ') + (more > 0 ? ` (+${more} more)` : '');
}
