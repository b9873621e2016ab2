import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { UsageError } from '../errors.js';

/** Debian's Chromium; `PHASEWATCH_CHROMIUM` names another. */
export const DEFAULT_CHROMIUM = process.env.PHASEWATCH_CHROMIUM ?? '/usr/bin/chromium';

/** Headless, no sandbox (root in containers), no GPU, no calls home. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** @throws UsageError when there is no Chromium at `executablePath` */
export function assertChromium(executablePath: string = DEFAULT_CHROMIUM): string {
  if (!fs.existsSync(executablePath)) throw new UsageError(`no Chromium at ${executablePath} (apt-get install -y chromium, as .ci/run does, or set PHASEWATCH_CHROMIUM)`);
  return executablePath;
}

/**
 * Starts headless Chromium through playwright-core, loaded only here: nothing else in
 * phasewatch needs a browser.
 */
export async function launchChromium(executablePath: string = DEFAULT_CHROMIUM): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: assertChromium(executablePath), args: CHROMIUM_FLAGS });
}
