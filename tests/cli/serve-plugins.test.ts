import path from 'node:path';
import { describe, it } from 'vitest';
import { TestClient } from '../server/client.js';
import { finished, startCli, tempDir, waitForStdout } from './run-cli.js';

/**
 * `phasewatch serve --metrics <file>` as a real process: the module loads from TypeScript, the
 * server lists it, and the default run's plug-in series reach a WebSocket viewer.
 */
describe('phasewatch serve --metrics', () => {
  it('lists the plug-in and streams its series to a viewer', async ({ expect, onTestFinished }) => {
    const db = path.join(tempDir(onTestFinished), 's.db');
    const child = startCli(['serve', '--port', '0', '--no-threads', '--metrics', 'examples/head-asymmetry.ts', '--steps', '100000', '--set', 'data.d=16', '--set', 'data.batchSize=128', '--backend', 'cpu', '--db', db]);
    onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')));
    const ended = finished(child, 60_000);
    const stdout = await waitForStdout(child, (out) => /training run \d+/.test(out), 45_000);
    expect(stdout).toMatch(/metric plug-in: headAsym \(examples\/head-asymmetry\.ts\)/);
    const url = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)![1];

    const listed = (await (await fetch(`${url}api/plugins`)).json()) as { plugins: { name: string; metrics: { name: string }[] }[] };
    expect(listed.plugins.map((p) => [p.name, p.metrics.map((m) => m.name)])).toEqual([['head-asymmetry', ['headAsym']]]);

    const client = await TestClient.connect(url);
    try {
      await client.nextOf('welcome');
      client.send({ type: 'subscribe', id: 'sub', runId: 1 });
      const seen = () => new Set([...client.all('snapshot'), ...client.all('frame')].flatMap((m) => m.columns));
      await client.until(() => seen().has('headAsym.asym') && seen().has('headAsym.peak'), 30_000, 'the plug-in’s series over ws');
      expect(client.invalid).toEqual([]);
    } finally {
      await client.close();
    }
    child.kill('SIGINT');
    const result = await ended;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/SIGINT: stopping runs/);
  });
});
