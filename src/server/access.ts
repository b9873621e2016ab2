import type { IncomingMessage } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export type Access = 'read' | 'control';

/** The tokens a server accepts; a loopback server without tokens lets everyone steer. */
export interface AccessTokens {
  readonly read?: string;
  readonly control?: string;
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/** A fresh random token (URL-safe). */
export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

/** The request's URL, or null when its target cannot be parsed (a hostile or broken client). */
export function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/**
 * What a request may do, from its `?token=` or `Authorization: Bearer` token: `control` with
 * the control token, `read` with the read token, everything when no token is configured, and
 * nothing (null) otherwise.
 */
export function accessFor(req: IncomingMessage, url: URL, tokens: AccessTokens): Access | null {
  if (!tokens.read && !tokens.control) return 'control';
  const header = req.headers.authorization;
  const token = url.searchParams.get('token') ?? (header?.startsWith('Bearer ') ? header.slice(7) : null);
  if (token && tokens.control && sameToken(token, tokens.control)) return 'control';
  if (token && tokens.read && sameToken(token, tokens.read)) return 'read';
  return null;
}

/** Constant-time comparison, so response timing does not reveal how much of a token matched. */
function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
