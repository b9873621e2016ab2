import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';

/** Debian's Chromium, as .ci/run installs it. */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags this machine needs: no sandbox as root, no GPU, no calls to Google's services. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** Builds the dashboard from the current sources into `outDir` (the tests never use a stale build). */
export async function buildDashboard(outDir: string): Promise<void> {
  await build({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}
