/**
 * The mall's floor plan in metres, from the stores' cells: pure geometry, no three.js, so
 * the walls the scene draws and the walls the walker bumps into are the same rectangles.
 *
 * Cells become a compact grid (the distinct x and y values of a level, in order), each a
 * square room with its door on the side of lower z, with corridors all around.
 */

export const ROOM = 10;
export const CORRIDOR = 6;
export const DOOR = 3;
export const WALL = 0.25;
export const WALL_HEIGHT = 3.2;
/** The walker is a circle this wide on the floor. */
export const RADIUS = 0.35;
/** A product stand, square on the floor. */
export const STAND = 0.9;

export interface Rect {
  minX: number;
  maxX: number;
  minZ: number;
  maxZ: number;
}

export interface Slot {
  x: number;
  z: number;
  /** Radians; the direction the stand's panel faces (0 = towards −z, as three.js cameras). */
  yaw: number;
}

export interface RoomLayout {
  storeId: string;
  rect: Rect;
  /** The middle of the door opening. */
  door: { x: number; z: number };
  /** Where its products stand, the first facing the door. */
  slots: Slot[];
  /** Its four walls, the front one in two pieces around the door. */
  walls: Rect[];
}

export interface MallLayout {
  level: number;
  bounds: Rect;
  rooms: RoomLayout[];
  /** The mall's own four walls. */
  outerWalls: Rect[];
  /** Everything a walker cannot cross: every wall and stand. */
  obstacles: Rect[];
  /** Outside the first room's door, facing it. */
  spawn: { x: number; z: number; yaw: number };
}

export interface PlacedStore {
  id: string;
  position: { level: number; x: number; y: number };
}

/** The levels that have stores, lowest first. */
export function levelsOf(stores: readonly PlacedStore[]): number[] {
  return [...new Set(stores.map((s) => s.position.level))].sort((a, b) => a - b);
}

const rect = (minX: number, maxX: number, minZ: number, maxZ: number): Rect => ({
  minX,
  maxX,
  minZ,
  maxZ,
});

export function layoutMall(stores: readonly PlacedStore[], level: number): MallLayout {
  const here = stores.filter((s) => s.position.level === level);
  const xs = [...new Set(here.map((s) => s.position.x))].sort((a, b) => a - b);
  const ys = [...new Set(here.map((s) => s.position.y))].sort((a, b) => a - b);
  const pitch = ROOM + CORRIDOR;
  const cols = Math.max(1, xs.length);
  const rows = Math.max(1, ys.length);
  const bounds = rect(0, CORRIDOR + cols * pitch, 0, CORRIDOR + rows * pitch);
  const outerWalls: Rect[] = [
    rect(bounds.minX - WALL, bounds.minX, bounds.minZ - WALL, bounds.maxZ + WALL),
    rect(bounds.maxX, bounds.maxX + WALL, bounds.minZ - WALL, bounds.maxZ + WALL),
    rect(bounds.minX, bounds.maxX, bounds.minZ - WALL, bounds.minZ),
    rect(bounds.minX, bounds.maxX, bounds.maxZ, bounds.maxZ + WALL),
  ];
  const obstacles: Rect[] = [...outerWalls];
  const rooms = [...here]
    .sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x)
    .map((s): RoomLayout => {
      const minX = CORRIDOR + xs.indexOf(s.position.x) * pitch;
      const minZ = CORRIDOR + ys.indexOf(s.position.y) * pitch;
      const r = rect(minX, minX + ROOM, minZ, minZ + ROOM);
      const cx = minX + ROOM / 2;
      const half = WALL / 2;
      const walls = [
        rect(r.minX - half, r.maxX + half, r.maxZ - half, r.maxZ + half),
        rect(r.minX - half, r.minX + half, r.minZ - half, r.maxZ + half),
        rect(r.maxX - half, r.maxX + half, r.minZ - half, r.maxZ + half),
        rect(r.minX - half, cx - DOOR / 2, r.minZ - half, r.minZ + half),
        rect(cx + DOOR / 2, r.maxX + half, r.minZ - half, r.minZ + half),
      ];
      obstacles.push(...walls);
      const back = r.maxZ - 1.2;
      const slots: Slot[] = [
        // Facing the door first: the stand a visitor walks up to.
        { x: cx, z: back, yaw: 0 },
        { x: r.minX + 2.3, z: back, yaw: 0 },
        { x: r.maxX - 2.3, z: back, yaw: 0 },
        ...[r.minZ + 3, r.minZ + 5.5].flatMap((z) => [
          { x: r.minX + 1.2, z, yaw: -Math.PI / 2 },
          { x: r.maxX - 1.2, z, yaw: Math.PI / 2 },
        ]),
      ];
      for (const slot of slots) {
        obstacles.push(
          rect(slot.x - STAND / 2, slot.x + STAND / 2, slot.z - STAND / 2, slot.z + STAND / 2),
        );
      }
      return { storeId: s.id, rect: r, door: { x: cx, z: r.minZ }, slots, walls };
    });
  const first = rooms[0];
  const spawn = first
    ? { x: first.door.x, z: first.door.z - CORRIDOR / 2, yaw: Math.PI }
    : { x: bounds.maxX / 2, z: CORRIDOR / 2, yaw: Math.PI };
  return { level, bounds, rooms, outerWalls, obstacles, spawn };
}

const hits = (w: Rect, x: number, z: number, r: number) =>
  x + r > w.minX && x - r < w.maxX && z + r > w.minZ && z - r < w.maxZ;

/**
 * Where a walker at `from` ends up trying to reach `to`: each axis moves on its own, so
 * walking into a wall at an angle slides along it instead of sticking.
 */
export function walk(
  walls: readonly Rect[],
  from: { x: number; z: number },
  to: { x: number; z: number },
  radius = RADIUS,
): { x: number; z: number } {
  let { x, z } = from;
  if (!walls.some((w) => hits(w, to.x, z, radius))) x = to.x;
  if (!walls.some((w) => hits(w, x, to.z, radius))) z = to.z;
  return { x, z };
}

/** The room (store) a point is in, if any. */
export function roomAt(layout: MallLayout, x: number, z: number): RoomLayout | undefined {
  return layout.rooms.find(
    (r) => x > r.rect.minX && x < r.rect.maxX && z > r.rect.minZ && z < r.rect.maxZ,
  );
}

/**
 * The stand a walker at (x, z) facing `yaw` is looking at: within `reach` metres and
 * less than 50° off straight ahead; the nearest wins.
 */
export function standInFront<T extends { x: number; z: number }>(
  stands: readonly T[],
  at: { x: number; z: number; yaw: number },
  reach = 3,
): T | undefined {
  const fx = -Math.sin(at.yaw);
  const fz = -Math.cos(at.yaw);
  let best: T | undefined;
  let bestDistance = Infinity;
  for (const s of stands) {
    const dx = s.x - at.x;
    const dz = s.z - at.z;
    const d = Math.hypot(dx, dz);
    if (d > reach || d === 0) continue;
    if ((dx * fx + dz * fz) / d < Math.cos((50 * Math.PI) / 180)) continue;
    if (d < bestDistance) {
      best = s;
      bestDistance = d;
    }
  }
  return best;
}
