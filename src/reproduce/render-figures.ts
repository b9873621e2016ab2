import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { serveStatic } from '../server/static-files.js';
import type { FigureSpec } from './figure-spec.js';
import { assertChromium, launchChromium } from './headless-chromium.js';

/** What the figure page defines on its window (the page runs in the browser, not here). */
type FigurePage = typeof globalThis & { renderFigure?: (spec: FigureSpec) => Promise<void> };


export interface RenderOptions {
  /** The built dashboard (it holds figure.html). */
  readonly dashboardDir: string;
  /** PNGs are written here as `<name>.png`. */
  readonly outDir: string;
  readonly chromium?: string;
}

/**
 * Checks, before anything is trained, that figures can be drawn: Chromium and the built figure page.
 * @returns Chromium's path
 * @throws UsageError naming what is missing and how to get it
 */
export function assertCanRender(options: Pick<RenderOptions, 'dashboardDir' | 'chromium'>): string {
  const executablePath = assertChromium(options.chromium);
  if (!fs.existsSync(path.join(options.dashboardDir, 'figure.html'))) throw new UsageError(`no figure page in ${options.dashboardDir}: run \`npm run build\` first (or give --dashboard)`);
  return executablePath;
}

/**
 * Draws each figure on the dashboard's figure page in headless Chromium and saves it as a PNG
 * (device scale 2). The page is served over a loopback HTTP server for the one render, since
 * Chromium runs no module scripts from file:// URLs.
 * @returns the written files, in order
 * @throws UsageError when Chromium or the built figure page is missing
 */
export async function renderFigures(specs: readonly FigureSpec[], options: RenderOptions): Promise<string[]> {
  const executablePath = assertCanRender(options);
  fs.mkdirSync(options.outDir, { recursive: true });
  const server = http.createServer((req, res) => serveStatic(new URL(req.url ?? '/', 'http://localhost'), res, options.dashboardDir));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium(executablePath);
  try {
    const page = await browser.newPage({ deviceScaleFactor: 2, viewport: { width: 820, height: 480 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/figure.html`);
    await page.waitForFunction(() => typeof (globalThis as FigurePage).renderFigure === 'function');
    const files: string[] = [];
    for (const spec of specs) {
      await page.evaluate((s) => (globalThis as FigurePage).renderFigure!(s), spec as FigureSpec);
      if (errors.length) throw new Error(`figure ${spec.name}: the page failed: ${errors.join('; ')}`);
      const file = path.join(options.outDir, `${spec.name}.png`);
      await page.locator('#figure').screenshot({ path: file });
      files.push(file);
    }
    return files;
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
