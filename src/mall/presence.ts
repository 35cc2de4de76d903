import { randomBytes, timingSafeEqual } from 'node:crypto';
import { fail, type Failure } from '../platform/failure.js';

/**
 * Who else is walking in the mall: each visitor's position, and nothing else. A visitor
 * is an opaque random id given when its stream opens; no user id, name, address or IP
 * is kept or sent. Everything is bounded:
 * - visitors: at most `maxVisitors` streams at once (a join beyond is refused);
 * - updates in: at most `perVisitorPerSecond` per visitor and `totalPerSecond` in all
 *   (token buckets; beyond, an update is refused and changes nothing);
 * - frames out: at most one per `tickMs`, holding only the visitors that moved or left
 *   since the last one, so what a stream receives is bounded by
 *   `maxVisitors × 1000 / tickMs` positions a second, whatever the senders do.
 */
export interface PresenceHub {
  /** A new visitor: its public id and the secret token that moves it. */
  join(): Visitor | Failure<PresenceError.Full>;
  /** Moves a visitor; refused for an unknown id or token, or over a rate. */
  move(
    id: string,
    token: string,
    position: Position,
  ): undefined | Failure<PresenceError.UnknownVisitor | PresenceError.RateLimited>;
  leave(id: string): void;
  /** Everyone's position now, but `exceptId`'s (the first frame a new stream gets). */
  snapshot(exceptId?: string): PresenceFrame;
  /** Called with each frame (at most one per tick, only when something changed). */
  subscribe(listener: (frame: PresenceFrame) => void): () => void;
  /** Builds the frame of what changed since the last one and sends it (the timer's job). */
  tick(): void;
  visitors(): number;
}

export enum PresenceError {
  Full = 'mall_full',
  UnknownVisitor = 'presence_unknown_visitor',
  RateLimited = 'presence_rate_limited',
}

/** A point on the mall's floor, in metres, and the direction the visitor faces. */
export interface Position {
  level: number;
  x: number;
  z: number;
  /** Radians. */
  yaw: number;
}

export interface VisitorPosition extends Position {
  id: string;
}

export interface PresenceFrame {
  moved: VisitorPosition[];
  left: string[];
}

export interface Visitor {
  id: string;
  token: string;
}

export interface PresenceLimits {
  maxVisitors: number;
  perVisitorPerSecond: number;
  totalPerSecond: number;
}

interface Entry {
  token: Buffer;
  position: Position | undefined;
  tokens: number;
  refilledAt: number;
}

export function createPresenceHub(limits: PresenceLimits, now: () => number): PresenceHub {
  const entries = new Map<string, Entry>();
  const moved = new Set<string>();
  const left = new Set<string>();
  const listeners = new Set<(frame: PresenceFrame) => void>();
  const total = { tokens: limits.totalPerSecond, refilledAt: now() };

  // A bucket holds one second of its rate: a burst of a second, then the steady rate.
  const refill = (b: { tokens: number; refilledAt: number }, perSecond: number, at: number) => {
    b.tokens = Math.min(perSecond, b.tokens + ((at - b.refilledAt) / 1000) * perSecond);
    b.refilledAt = at;
  };

  const positionOf = (id: string, p: Position): VisitorPosition => ({ id, ...p });

  return {
    join() {
      if (entries.size >= limits.maxVisitors) {
        return fail(PresenceError.Full, {
          message: `The mall holds ${limits.maxVisitors} visitors at once; try again soon`,
        });
      }
      const id = `vis_${randomBytes(9).toString('base64url')}`;
      const token = randomBytes(24).toString('base64url');
      entries.set(id, {
        token: Buffer.from(token),
        position: undefined,
        tokens: limits.perVisitorPerSecond,
        refilledAt: now(),
      });
      return { id, token };
    },

    move(id, token, position) {
      const entry = entries.get(id);
      const given = Buffer.from(token);
      if (!entry || given.length !== entry.token.length || !timingSafeEqual(given, entry.token)) {
        return fail(PresenceError.UnknownVisitor, { message: 'No such visitor in the mall' });
      }
      const at = now();
      refill(entry, limits.perVisitorPerSecond, at);
      refill(total, limits.totalPerSecond, at);
      // Both buckets are checked before either is taken, so a refusal costs nothing.
      if (entry.tokens < 1) {
        return fail(PresenceError.RateLimited, {
          message: `At most ${limits.perVisitorPerSecond} updates a second per visitor`,
        });
      }
      if (total.tokens < 1) {
        return fail(PresenceError.RateLimited, {
          message: 'The mall is busy; send positions less often',
        });
      }
      entry.tokens -= 1;
      total.tokens -= 1;
      entry.position = position;
      moved.add(id);
      return undefined;
    },

    leave(id) {
      if (!entries.delete(id)) return;
      moved.delete(id);
      left.add(id);
    },

    snapshot(exceptId) {
      const frame: PresenceFrame = { moved: [], left: [] };
      for (const [id, e] of entries) {
        if (id !== exceptId && e.position) frame.moved.push(positionOf(id, e.position));
      }
      return frame;
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    tick() {
      if (moved.size === 0 && left.size === 0) return;
      const frame: PresenceFrame = { moved: [], left: [...left] };
      for (const id of moved) {
        const p = entries.get(id)?.position;
        if (p) frame.moved.push(positionOf(id, p));
      }
      moved.clear();
      left.clear();
      for (const listener of listeners) listener(frame);
    },

    visitors: () => entries.size,
  };
}
