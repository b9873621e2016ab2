import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../src/config/presets.js';
import { selectBackend } from '../../src/model/backend.js';
import { Store } from '../../src/store/store.js';
import { smallConfig, useServer, type ServerFixture } from './fixture.js';

const setup = useServer();

beforeAll(async () => {
  await selectBackend('wasm');
});

/** A server with one completed run of 400 steps (a record every step). */
async function withCompletedRun(dashboardDir?: string): Promise<{ f: ServerFixture; runId: number }> {
  const f = await setup({ dashboardDir });
  const live = f.start(smallConfig(['steps=400']));
  const outcome = await live.outcome;
  expect(outcome).toMatchObject({ status: 'completed', step: 400 });
  return { f, runId: live.id };
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(port), path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('REST API', () => {
  it('lists runs and serves a run with its config', async () => {
    const { f, runId } = await withCompletedRun();
    const second = f.start(smallConfig());
    const list = await getJson(`${f.server.url}api/runs`);
    expect(list.status).toBe(200);
    const runs = list.body.runs as { id: number; status: string; step: number; live: boolean; targetSteps: number }[];
    expect(runs.map((r) => r.id)).toEqual(f.store.listRuns().map((r) => r.id));
    expect(runs.find((r) => r.id === runId)).toMatchObject({ status: 'completed', step: 400, targetSteps: 400, live: false });
    expect(runs.find((r) => r.id === second.id)).toMatchObject({ status: 'running', live: true });

    const one = await getJson(`${f.server.url}api/runs/${runId}`);
    expect(one.status).toBe(200);
    expect(one.body.config).toEqual(f.store.getRun(runId)!.config);
    expect(one.body.config).toMatchObject({ steps: 400, data: { d: 16, batchSize: 128 }, log: { metricsEvery: 1 } });
    expect(one.body.run).toMatchObject({ id: runId, status: 'completed' });
  });

  it('serves decimated series with the global extremes, and step ranges', async () => {
    const { f, runId } = await withCompletedRun();
    const { status, body } = await getJson(`${f.server.url}api/runs/${runId}/series?names=loss,cos_1_1&maxPoints=20`);
    expect(status).toBe(200);
    expect(body.columns).toEqual(['step', 'loss', 'cos_1_1']);
    const data = body.data as (number | null)[][];
    expect(data).toHaveLength(3);
    expect(data[0].length).toBeLessThanOrEqual(20);
    for (const column of data) expect(column).toHaveLength(data[0].length);
    expect(body.decimated).toBe(true);
    expect(data[0][0]).toBe(1);
    expect(data[0][data[0].length - 1]).toBe(400);
    for (const [c, name] of [[1, 'loss'], [2, 'cos_1_1']] as const) {
      const stored = f.store.readSeries(runId, name).values.filter((v): v is number => v !== null);
      expect(stored).toHaveLength(400);
      expect(data[c], name).toContain(Math.min(...stored));
      expect(data[c], name).toContain(Math.max(...stored));
    }

    const range = await getJson(`${f.server.url}api/runs/${runId}/series?names=loss&from=100&to=150`);
    expect(range.status).toBe(200);
    const expected = f.store.readSeries(runId, 'loss', { from: 100, to: 150 });
    expect(range.body).toEqual({ columns: ['step', 'loss'], data: [expected.steps, expected.values], decimated: false });
    expect(expected.steps).toHaveLength(51);

    // Without names: every series, in the store's order.
    const all = await getJson(`${f.server.url}api/runs/${runId}/series?from=399`);
    expect(all.body.columns).toEqual(['step', ...f.store.seriesNames(runId)]);
    expect((all.body.data as number[][])[0]).toEqual([399, 400]);
  });

  it('answers bad requests with 400/404/405 and a message', async () => {
    const { f, runId } = await withCompletedRun();
    const base = `${f.server.url}api/runs/${runId}`;
    const unknownSeries = await getJson(`${base}/series?names=loss,nope_9`);
    expect(unknownSeries.status).toBe(400);
    expect(unknownSeries.body.error).toContain('nope_9');
    for (const query of ['maxPoints=abc', 'maxPoints=1', 'maxPoints=100001', 'from=x', 'to=1e']) {
      const bad = await getJson(`${base}/series?${query}`);
      expect(bad.status, query).toBe(400);
      expect(String(bad.body.error).length, query).toBeGreaterThan(0);
    }
    for (const missing of ['999', '0', '-1', 'abc', '1.5']) {
      const res = await getJson(`${f.server.url}api/runs/${missing}`);
      expect(res.status, missing).toBe(404);
      expect(String(res.body.error)).toContain(missing);
    }
    expect((await getJson(`${f.server.url}api/runs/999/series?names=loss`)).status).toBe(404);
    expect((await getJson(`${f.server.url}api/nothing`)).status).toBe(404);
    expect((await getJson(`${base}/export?format=xml`)).status).toBe(400);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${f.server.url}api/runs`, { method, body: method === 'DELETE' ? undefined : '{}' });
      expect(res.status, method).toBe(405);
      expect(((await res.json()) as { error: string }).error).toContain(method);
    }
    expect(f.store.listRuns().map((r) => r.id)).toEqual([runId]);
  });

  it('exports CSV equal to the stored points', async () => {
    const { f, runId } = await withCompletedRun();
    const res = await fetch(`${f.server.url}api/runs/${runId}/export?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const names = f.store.seriesNames(runId);
    // The run's first record starts phase I: every row carries the phase, the first its event.
    const events = f.store.readEvents(runId);
    expect(events[0]).toMatchObject({ kind: 'phase', label: 'I', detectedAt: 1 });
    let expected = `step,${names.join(',')},phase,events\n`;
    for (const row of f.store.readPoints(runId)) {
      const tags = events.filter((e) => e.detectedAt === row.step).map((e) => (e.kind === 'phase' ? `phase ${e.label}` : e.kind === 'state' ? e.label : `cp ${e.series} ${e.label}`));
      const phase = events.filter((e) => e.kind === 'phase' && e.detectedAt <= row.step).at(-1)?.label ?? '';
      expected += `${row.step},${row.values.map((v) => (v === null ? '' : String(v))).join(',')},${phase},${tags.join('; ')}\n`;
    }
    const text = await res.text();
    expect(text).toBe(expected);
    expect(text.trimEnd().split('\n')).toHaveLength(401);

    const nd = await fetch(`${f.server.url}api/runs/${runId}/export?format=ndjson`);
    const lines = (await nd.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(400);
    expect(lines[9]).toEqual({ step: 10, ...Object.fromEntries(names.map((n) => [n, f.store.readSeries(runId, n, { from: 10, to: 10 }).values[0]])), phase: 'I' });
    const { runId: _run, ...first } = events[0];
    expect(lines[0].events).toEqual([first]);

    const listed = await (await fetch(`${f.server.url}api/runs/${runId}/events?from=1&to=1`)).json();
    expect(listed).toEqual({ events: [events[0]] });
  });

  it('serves what another process has recorded since the previous request', async () => {
    const f = await setup();
    // A second connection to the same database, as a `phasewatch run` in another terminal has.
    const other = Store.open(f.store.path);
    try {
      const run = other.createRun({ name: 'elsewhere', preset: null, config: { steps: 100 }, seed: 1, backend: 'cpu', targetSteps: 100 });
      other.updateRun(run.id, { status: 'running' });
      const points = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i, values: { loss: 1 / (from + i) } }));
      other.appendPoints(run.id, points(1, 10));
      const first = await getJson(`${f.server.url}api/runs/${run.id}/series?names=loss`);
      expect((first.body.data as number[][])[0]).toEqual(f.store.readSeries(run.id, 'loss').steps);

      other.appendPoints(run.id, points(11, 20));
      const stored = f.store.readSeries(run.id, 'loss');
      expect(stored.steps).toHaveLength(20);
      // The export reads the database and has all 20 rows …
      const csv = await (await fetch(`${f.server.url}api/runs/${run.id}/export?format=csv`)).text();
      expect(csv.trimEnd().split('\n')).toHaveLength(21);
      // … and so must the series endpoint (and a new viewer's snapshot).
      const second = await getJson(`${f.server.url}api/runs/${run.id}/series?names=loss`);
      expect((second.body.data as number[][])[0]).toEqual(stored.steps);
      const client = await f.connect();
      client.send({ type: 'subscribe', runId: run.id });
      const snap = await client.nextOf('snapshot');
      expect(snap.seq).toBe(20);
    } finally {
      other.close();
    }
  });

  it('lists the presets', async () => {
    const f = await setup();
    const { status, body } = await getJson(`${f.server.url}api/presets`);
    expect(status).toBe(200);
    const presets = body.presets as { name: string; description: string; expected: string }[];
    expect(presets.map((p) => p.name)).toEqual(PRESET_NAMES);
    expect(presets.map((p) => p.name)).toEqual(expect.arrayContaining(['default', 'paper-64', 'head-none']));
    for (const p of presets) expect(p.description.length).toBeGreaterThan(0);
  });

  it('serves the dashboard folder and nothing outside it', async () => {
    const f0 = await setup();
    const root = path.join(f0.dir, 'site');
    const dashboard = path.join(root, 'dashboard');
    fs.mkdirSync(path.join(dashboard, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dashboard, 'index.html'), '<!doctype html><title>dash</title>');
    fs.writeFileSync(path.join(dashboard, 'assets', 'app.js'), 'console.log("app")');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET');
    const f = await setup({ dashboardDir: dashboard });

    const index = await fetch(f.server.url);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>dash</title>');
    const app = await fetch(`${f.server.url}assets/app.js`);
    expect(app.headers.get('content-type')).toMatch(/javascript/);
    expect(await app.text()).toBe('console.log("app")');

    const secret = 'TOP SECRET';
    const pkg = fs.readFileSync(path.resolve('package.json'), 'utf8');
    for (const attempt of [
      '/..%2fsecret.txt',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/..\\secret.txt',
      '/%5c..%5csecret.txt',
      `/${'..%2f'.repeat(12)}etc%2fpasswd`,
      `/..%2f..%2f${encodeURIComponent(path.relative(path.parse(process.cwd()).root, path.resolve('package.json')))}`,
    ]) {
      const res = await rawGet(f.server.url, attempt);
      expect(res.body, attempt).not.toContain(secret);
      expect(res.body, attempt).not.toBe(pkg);
      expect(res.body, attempt).not.toContain('root:');
      expect([200, 400, 403, 404], attempt).toContain(res.status);
    }
  });
});
