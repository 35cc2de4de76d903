import { describe, expect, it } from 'vitest';
import { layoutMall, levelsOf, roomAt, standInFront, walk, type MallLayout } from './layout.js';

const stores = [
  { id: 'tea', position: { level: 0, x: 3, y: 4 } },
  { id: 'bats', position: { level: 0, x: 900, y: 4 } },
  { id: 'books', position: { level: 0, x: 3, y: -7 } },
  { id: 'roof', position: { level: 2, x: 0, y: 0 } },
];

/** Walks `steps` steps of 10 cm from `from` along yaw, as the scene does each frame. */
function stroll(layout: MallLayout, from: { x: number; z: number }, yaw: number, steps: number) {
  let at = from;
  for (let i = 0; i < steps; i++) {
    at = walk(layout.obstacles, at, {
      x: at.x - Math.sin(yaw) * 0.1,
      z: at.z - Math.cos(yaw) * 0.1,
    });
  }
  return at;
}

describe('the floor plan a visitor walks', () => {
  it('packs sparse cells into a grid in their order, one level at a time', () => {
    expect(levelsOf(stores)).toEqual([0, 2]);
    const layout = layoutMall(stores, 0);
    expect(layout.rooms.map((r) => r.storeId)).toEqual(['books', 'tea', 'bats']);
    const tea = layout.rooms.find((r) => r.storeId === 'tea');
    const bats = layout.rooms.find((r) => r.storeId === 'bats');
    // x = 3 and x = 900 are neighbours: 16 m apart, not 14 km.
    expect((bats?.rect.minX ?? 0) - (tea?.rect.minX ?? 0)).toBe(16);
    expect(layoutMall(stores, 2).rooms.map((r) => r.storeId)).toEqual(['roof']);
  });

  it('walking straight ahead from the start goes through the door and stops at the first stand', () => {
    const layout = layoutMall(stores, 0);
    const start = layout.spawn;
    expect(roomAt(layout, start.x, start.z)).toBeUndefined();
    const end = stroll(layout, start, start.yaw, 200);
    expect(roomAt(layout, end.x, end.z)?.storeId).toBe('books');
    const room = layout.rooms[0];
    const stand = room?.slots[0];
    // Stopped in front of the stand, not inside it, and looking at it.
    expect(stand && end.z).toBeLessThan((stand?.z ?? 0) - 0.45);
    expect(standInFront(room?.slots ?? [], { ...end, yaw: start.yaw })).toBe(stand);
    expect(standInFront(room?.slots ?? [], { ...end, yaw: 0 })).toBeUndefined();
  });

  it('a wall stops a walker and lets it slide along; nobody leaves the mall', () => {
    const layout = layoutMall(stores, 0);
    const room = layout.rooms[0];
    if (!room) throw new Error('no room');
    // Beside the door, walking into the room's front wall: stays outside.
    const beside = { x: room.rect.minX + 1, z: room.rect.minZ - 2 };
    const stuck = stroll(layout, beside, Math.PI, 100);
    expect(roomAt(layout, stuck.x, stuck.z)).toBeUndefined();
    expect(stuck.z).toBeLessThan(room.rect.minZ);
    // At an angle, the walker slides along x while z is blocked.
    const slid = stroll(layout, beside, -Math.PI * 0.75, 30);
    expect(slid.x).toBeGreaterThan(beside.x + 1);
    // Towards the outer wall for 100 m: still inside the bounds.
    const out = stroll(layout, layout.spawn, 0, 1000);
    expect(out.z).toBeGreaterThan(layout.bounds.minZ);
  });
});
