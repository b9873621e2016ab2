import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricModules } from '../../src/operators/metrics/metric-modules.js';
import { useServer } from './fixture.js';

const EXAMPLE = path.resolve('examples/head-asymmetry.ts');

/**
 * A server started with a plug-in module (`serve --metrics`): it lists the module, a viewer
 * starts a run naming it, and the plug-in's series stream like built-ins; a start naming a
 * module that is not loaded is refused, naming it, and creates nothing.
 */
for (const threads of [false, true]) {
  describe(`metric plug-ins over the server (${threads ? 'worker threads' : 'server thread'})`, () => {
    const setup = useServer();

    it('lists loaded modules, starts a run with one by name, and streams its series', async () => {
      const f = await setup({ threads, modules: await MetricModules.load([EXAMPLE]) });
      const listed = await (await fetch(`${f.server.url}api/plugins`)).json();
      expect(listed).toEqual({ plugins: [{ name: 'head-asymmetry', path: EXAMPLE, metrics: [{ name: 'headAsym', description: expect.stringContaining('‖E − Eᵀ‖') }] }] });

      const client = await f.connect();
      await client.nextOf('welcome');
      client.send({ type: 'start', id: 'st', sets: ['steps=60', 'data.d=16', 'data.batchSize=128', 'log.metricsEvery=5'], plugins: ['head-asymmetry'] });
      const runId = (await client.nextOf('ack', (m) => m.id === 'st')).runId!;
      expect(f.store.getRun(runId)!.config).toMatchObject({ metrics: { plugins: [EXAMPLE] } });
      client.send({ type: 'subscribe', id: 'sub', runId });
      await client.nextOf('runs', (m) => m.runs.some((r) => r.id === runId && r.status === 'completed'), 30_000);
      const columnsSeen = () => new Set([...client.all('snapshot'), ...client.all('frame')].filter((m) => m.runId === runId).flatMap((m) => m.columns));
      await client.until(() => columnsSeen().has('headAsym.asym'), 5000, 'the plug-in’s series over ws');
      expect([...columnsSeen()]).toEqual(expect.arrayContaining(['headAsym.asym', 'headAsym.peak', 'predictors.dist_Estar']));
      // Stored like built-ins: one point per recorded step.
      expect(f.store.readSeries(runId, 'headAsym.asym').steps).toEqual(Array.from({ length: 12 }, (_, i) => 5 * (i + 1)));
      expect(client.invalid).toEqual([]);
    });

    it('refuses a start naming a module the server has not loaded, and creates nothing', async () => {
      const f = await setup({ threads });
      const client = await f.connect();
      await client.nextOf('welcome');
      client.send({ type: 'start', id: 'bad', plugins: ['head-asymmetry'] });
      const error = await client.nextOf('error', (m) => m.id === 'bad');
      expect(error.code).toBe('E_CONFIG');
      expect(error.message).toMatch(/no loaded plug-in module is called head-asymmetry \(none is loaded; start the server with --metrics <file>\)/);
      expect(f.store.listRuns()).toEqual([]);
      expect(await (await fetch(`${f.server.url}api/plugins`)).json()).toEqual({ plugins: [] });
    });
  });
}
