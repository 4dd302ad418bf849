/**
 * The console's login: none on loopback (the person at the machine), a username and password
 * when bound elsewhere. A session is a random token in an HttpOnly, SameSite=Strict cookie.
 * Tenant contacts are shown only inside a logged-in session.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export class ConsoleAuth {
  private readonly sessions = new Map<string, number>();

  constructor(private readonly creds: { username: string; password: string } | null, private readonly ttlMs = 12 * 3_600_000) {}

  get required(): boolean {
    return this.creds !== null;
  }

  check(username: string, password: string): boolean {
    if (this.creds === null) return false;
    const a = Buffer.from(`${username}\n${password}`);
    const b = Buffer.from(`${this.creds.username}\n${this.creds.password}`);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  open(now: number): string {
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(token, now + this.ttlMs);
    return token;
  }

  /** Whether the request carries a live session. */
  session(req: IncomingMessage, now: number): boolean {
    const m = /(?:^|;\s*)lw_session=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '');
    const until = m ? this.sessions.get(m[1]!) : undefined;
    return until !== undefined && until > now;
  }
}
