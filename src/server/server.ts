import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { RunManager } from '../streams/run-manager.js';
import type { Store } from '../store/store.js';
import { accessFor, requestUrl, type AccessTokens } from './access.js';
import { DEFAULT_HUB_OPTIONS, Hub, type HubOptions } from './hub.js';
import { handleApi } from './rest.js';
import { defaultDashboardDir, serveStatic } from './static-files.js';

export interface ServerOptions {
  readonly store: Store;
  readonly manager: RunManager;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8787; 0 picks a free port. */
  readonly port?: number;
  readonly tokens?: AccessTokens;
  /** The built dashboard; default dist/dashboard. */
  readonly dashboardDir?: string;
  readonly hub?: Partial<HubOptions>;
}

export type ServerState = 'running' | 'closing' | 'closed';

/**
 * One HTTP server: the dashboard, the REST API under /api and the WebSocket hub at /ws.
 * API requests and WebSocket connections without an accepted token (when tokens are set) get
 * 401; the dashboard's own files load without one (the page passes its ?token= on).
 * @example
 * const server = await startServer({ store, manager, port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export class PhasewatchServer {
  state: ServerState = 'running';
  readonly hub: Hub;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    hub: Hub,
    readonly host: string,
    readonly port: number,
  ) {
    this.hub = hub;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}/`;
  }

  static async start(options: ServerOptions): Promise<PhasewatchServer> {
    const host = options.host ?? '127.0.0.1';
    const tokens = options.tokens ?? {};
    const dashboardDir = options.dashboardDir ?? defaultDashboardDir();
    const hub = new Hub(options.store, options.manager, { ...DEFAULT_HUB_OPTIONS, ...options.hub });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 4 << 20 });
    const http = createServer((req, res) => {
      const url = requestUrl(req);
      if (url === null) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('malformed request target\n');
        return;
      }
      // The page and its scripts hold no data and may load without a token; the API may not.
      if (url.pathname.startsWith('/api/') && accessFor(req, url, tokens) === null) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('a token is required: add ?token=… to the URL\n');
        return;
      }
      handleApi(req, res, url, options.store, hub, options.manager.modules)
        .then((handled) => {
          if (!handled) serveStatic(url, res, dashboardDir);
        })
        .catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: (error as Error).message }));
        });
    });
    http.on('upgrade', (req, socket, head) => {
      const url = requestUrl(req);
      const access = url && accessFor(req, url, tokens);
      if (url === null || url.pathname !== '/ws' || !access) {
        const status = url === null ? '400 Bad Request' : url.pathname !== '/ws' ? '404 Not Found' : '401 Unauthorized';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, access));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 8787, host, () => resolve());
    });
    const port = (http.address() as AddressInfo).port;
    return new PhasewatchServer(http, wss, hub, host, port);
  }

  /** Closes viewers and the listening socket (idempotent); runs are the manager's to stop. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      this.hub.close();
      this.wss.close();
      this.http.closeAllConnections();
      await new Promise<void>((resolve) => this.http.close(() => resolve()));
      this.state = 'closed';
    })();
    return this.closing;
  }
}

export const startServer = (options: ServerOptions) => PhasewatchServer.start(options);
