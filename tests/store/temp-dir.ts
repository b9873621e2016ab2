import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/**
 * Returns a function creating fresh temp directories, each removed after the current test.
 *
 * @example
 * ```ts
 * const tempDir = useTempDirs();
 * it('...', () => { const dir = tempDir(); });
 * ```
 */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-store-'));
    dirs.push(dir);
    return dir;
  };
}
