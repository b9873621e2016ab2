import { Command } from 'commander';
import { availableParallelism, hostname } from 'node:os';
import { selectBackend } from '../../model/backend.js';
import { MetricModules } from '../../operators/metrics/metric-modules.js';
import { isLoopback, newToken } from '../../server/access.js';
import { startServer } from '../../server/server.js';
import { RunManager } from '../../streams/run-manager.js';
import type { BranchRule } from '../../streams/branch-rules.js';
import { Store } from '../../store/store.js';
import { addBranchOnOption, addConfigOptions, backendOption, configFromOptions, dbOption, parseCount, type ConfigOptions } from '../options.js';
import { describeBackend, describeModules } from '../shared.js';

interface ServeOptions extends ConfigOptions {
  db: string;
  backend?: string;
  host: string;
  port: number;
  run: boolean;
  threads: boolean;
  readToken?: string;
  controlToken?: string;
}

/** `phasewatch serve`: the dashboard, the API and the WebSocket hub, with a default run training. */
export function serveCommand(branchRules: readonly BranchRule[] = []): Command {
  return addBranchOnOption(addConfigOptions(new Command('serve')))
    .description('serve the live dashboard (and start a run of the default preset unless --no-run)')
    .option('--host <host>', 'interface to listen on; anything but loopback requires tokens', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', parseCount('--port', 0), 8787)
    .option('--no-run', 'start no run; only serve what is in the database')
    .option('--no-threads', 'train runs in the server’s thread instead of one worker thread each (the default with 2 or more cores)')
    .option('--read-token <token>', 'token that lets a viewer watch (generated when serving beyond loopback)')
    .option('--control-token <token>', 'token that also lets a viewer pause, step, stop and start runs (generated when serving beyond loopback)')
    .addOption(dbOption())
    .addOption(backendOption())
    .action(async (options: ServeOptions) => {
      // Validate the run's config before anything is opened or listened on.
      const resolved = options.run ? configFromOptions(options) : null;
      // The modules runs started here may use, from the dashboard too: --metrics and the config's.
      const modules = await MetricModules.load([...(resolved?.config.metrics.plugins ?? []), ...options.metrics]);
      const backend = await selectBackend(options.backend);
      process.stdout.write(`${describeBackend(backend)}\n${describeModules(modules)}`);
      const tokens = { read: options.readToken, control: options.controlToken };
      if (!isLoopback(options.host)) {
        tokens.read ??= newToken();
        tokens.control ??= newToken();
      }
      const store = Store.open(options.db);
      const manager = new RunManager(store, backend.name, { threads: options.threads && availableParallelism() >= 2, modules });
      const server = await startServer({ store, manager, host: options.host, port: options.port, tokens });
      // 0.0.0.0 / :: are not addresses a viewer can open: show this machine's name instead.
      const base = options.host === '0.0.0.0' || options.host === '::' ? `http://${hostname()}:${server.port}/` : server.url;
      const withToken = (token?: string) => (token ? `${base}?token=${token}` : base);
      process.stdout.write(`phasewatch serving ${store.path}\n  dashboard: ${withToken(tokens.control)}\n`);
      if (tokens.read) process.stdout.write(`  read-only: ${withToken(tokens.read)}\n`);
      if (resolved) {
        const live = manager.start(resolved.config, { preset: resolved.preset, branchRules });
        process.stdout.write(`  training run ${live.id} (${resolved.preset}, ${resolved.config.steps} steps)\n`);
      }
      await new Promise<void>((resolve) => {
        let closing = false;
        const shutdown = (signal: string) => {
          if (closing) process.exit(130);
          closing = true;
          process.stdout.write(`\n${signal}: stopping runs (each keeps a checkpoint) and closing…\n`);
          void manager
            .close()
            .then(() => server.close())
            .then(() => store.close())
            .then(resolve);
        };
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.once('SIGTERM', () => shutdown('SIGTERM'));
      });
    });
}
