import {
  Color,
  CylinderGeometry,
  Group,
  Mesh,
  MeshLambertMaterial,
  type Scene,
  SphereGeometry,
} from 'three';

interface Seen {
  id: string;
  level: number;
  x: number;
  z: number;
  yaw: number;
}

interface Frame {
  moved: Seen[];
  left: string[];
}

/** At most this often we tell the server where we are (it accepts a little more). */
const SEND_EVERY_MS = 250;

export interface PresenceClient {
  /** Each frame: moves the others towards where they were last seen, sends ours when it changed. */
  update(now: number, dt: number, me: Omit<Seen, 'id'>): void;
}

/**
 * Others walking in the mall: a stream of their positions (`/mall/presence`) drawn as simple
 * figures, and ours sent a few times a second while we move. Nothing but positions goes
 * either way. If the mall is full or the stream fails, the mall works on, without others.
 */
export function connectPresence(scene: Scene, onCount: (others: number) => void): PresenceClient {
  const others = new Map<string, { seen: Seen; figure: Group }>();
  const body = new CylinderGeometry(0.28, 0.28, 1.2, 12);
  const head = new SphereGeometry(0.2, 12, 8);
  let me: { id: string; token: string } | undefined;
  let level = 0;
  let sentAt = 0;
  let sent = '';
  let pausedUntil = 0;
  let counted = -1;

  const figureFor = (id: string) => {
    let hash = 0;
    for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    const material = new MeshLambertMaterial({
      color: new Color().setHSL((hash % 360) / 360, 0.55, 0.5),
    });
    const figure = new Group();
    const b = new Mesh(body, material);
    b.position.y = 0.8;
    const hd = new Mesh(head, material);
    hd.position.y = 1.6;
    figure.add(b, hd);
    figure.name = 'visitor';
    return figure;
  };

  const source = new EventSource('/mall/presence');
  source.addEventListener('hello', (e) => {
    me = JSON.parse((e as MessageEvent<string>).data) as { id: string; token: string };
    sent = '';
  });
  source.addEventListener('presence', (e) => {
    const frame = JSON.parse((e as MessageEvent<string>).data) as Frame;
    for (const id of frame.left) {
      const o = others.get(id);
      if (o) scene.remove(o.figure);
      others.delete(id);
    }
    for (const seen of frame.moved) {
      let o = others.get(seen.id);
      if (!o) {
        o = { seen, figure: figureFor(seen.id) };
        o.figure.position.set(seen.x, 0, seen.z);
        others.set(seen.id, o);
        scene.add(o.figure);
      }
      o.seen = seen;
    }
  });

  return {
    update(now, dt, position) {
      level = position.level;
      const ease = 1 - Math.exp(-dt * 8);
      let here = 0;
      for (const { seen, figure } of others.values()) {
        figure.visible = seen.level === level;
        if (figure.visible) here += 1;
        figure.position.x += (seen.x - figure.position.x) * ease;
        figure.position.z += (seen.z - figure.position.z) * ease;
        figure.rotation.y = seen.yaw;
      }
      if (here !== counted) {
        counted = here;
        onCount(here);
      }
      if (!me || now - sentAt < SEND_EVERY_MS || now < pausedUntil) return;
      const rounded = {
        level: position.level,
        x: Math.round(position.x * 100) / 100,
        z: Math.round(position.z * 100) / 100,
        yaw: Math.round(position.yaw * 100) / 100,
      };
      const key = JSON.stringify(rounded);
      if (key === sent) return;
      sent = key;
      sentAt = now;
      void fetch('/mall/presence', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: me.id, token: me.token, ...rounded }),
      })
        .then((r) => {
          // Told to slow down (or forgotten): wait a little before the next one.
          if (!r.ok) pausedUntil = performance.now() + 2000;
        })
        .catch(() => {
          pausedUntil = performance.now() + 5000;
        });
    },
  };
}
