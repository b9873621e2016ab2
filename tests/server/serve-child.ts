/**
 * A server in a child process, for tests that must survive the server crashing:
 * `node --import tsx tests/server/serve-child.ts <db path> [read token]`.
 * Prints `listening <url>` once it listens; exits on SIGTERM.
 */
import { startServer } from '../../src/server/server.js';
import { RunManager } from '../../src/streams/run-manager.js';
import { Store } from '../../src/store/store.js';

const [dbPath, readToken] = process.argv.slice(2);
const store = Store.open(dbPath);
const manager = new RunManager(store, 'cpu');
const server = await startServer({ store, manager, port: 0, tokens: readToken ? { read: readToken } : undefined });
process.stdout.write(`listening ${server.url}\n`);
process.once('SIGTERM', () => {
  void manager
    .close()
    .then(() => server.close())
    .then(() => {
      store.close();
      process.exit(0);
    });
});
