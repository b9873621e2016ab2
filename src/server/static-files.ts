import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/** Where `vite build` puts the dashboard: dist/dashboard, from dist/src/server or src/server. */
export function defaultDashboardDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [resolve(here, '../../dashboard'), resolve(here, '../../dist/dashboard')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[candidates.length - 1];
}

/** Serves the built dashboard; paths outside its folder are refused, unknown ones get index.html. */
export function serveStatic(url: URL, res: ServerResponse, root: string): void {
  const rootDir = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400).end('malformed path');
    return;
  }
  let path = normalize(join(rootDir, decoded));
  if (path !== rootDir && !path.startsWith(rootDir + sep)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  if (!existsSync(path) || statSync(path).isDirectory()) path = join(rootDir, 'index.html');
  if (!existsSync(path)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`The dashboard is not built (no ${path}). Run \`npm run build\`; the API under /api and the WebSocket at /ws work without it.\n`);
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
  createReadStream(path).pipe(res);
}
