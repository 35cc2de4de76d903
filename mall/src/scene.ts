import {
  AmbientLight,
  BoxGeometry,
  CanvasTexture,
  Color,
  DirectionalLight,
  Group,
  HemisphereLight,
  Mesh,
  MeshLambertMaterial,
  type Object3D,
  PerspectiveCamera,
  PlaneGeometry,
  Raycaster,
  Scene,
  SRGBColorSpace,
  Vector2,
  WebGLRenderer,
} from 'three';
import { priceLabel, type Product } from './api.js';
import { h } from './dom.js';
import {
  layoutMall,
  levelsOf,
  roomAt,
  standInFront,
  walk,
  WALL_HEIGHT,
  STAND,
  type MallLayout,
  type Rect,
} from './layout.js';
import { connectPresence } from './presence.js';
import type { Catalog } from './ui.js';

const EYE = 1.6;
const SPEED = 3.2;
const TURN = 1.8;
const LOOK = 0.0025;

export interface SceneActions {
  openProduct(productId: string): void;
}

interface Stand {
  x: number;
  z: number;
  product: Product;
}

/** The texture of a sign: lines of text on a colour, drawn once on a 2D canvas. */
function label(
  lines: { text: string; size: number }[],
  bg: string,
  fg: string,
  w = 512,
  hgt = 256,
) {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = hgt;
  const g = canvas.getContext('2d');
  if (g) {
    g.fillStyle = bg;
    g.fillRect(0, 0, w, hgt);
    g.fillStyle = fg;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    const total = lines.reduce((a, l) => a + l.size * 1.25, 0);
    let y = (hgt - total) / 2;
    for (const l of lines) {
      g.font = `600 ${l.size}px system-ui, sans-serif`;
      let text = l.text;
      while (g.measureText(text).width > w - 32 && text.length > 4) text = `${text.slice(0, -2)}…`;
      y += (l.size * 1.25) / 2;
      g.fillText(text, w / 2, y);
      y += (l.size * 1.25) / 2;
    }
  }
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  return texture;
}

/** Black or white, whichever reads better on `hex`. */
function inkOn(hex: string): string {
  const c = new Color(hex);
  return c.r * 0.299 + c.g * 0.587 + c.b * 0.114 > 0.6 ? '#111111' : '#ffffff';
}

function box(r: Rect, height: number, material: MeshLambertMaterial, y = 0): Mesh {
  const mesh = new Mesh(new BoxGeometry(r.maxX - r.minX, height, r.maxZ - r.minZ), material);
  mesh.position.set((r.minX + r.maxX) / 2, y + height / 2, (r.minZ + r.maxZ) / 2);
  return mesh;
}

function buildLevel(layout: MallLayout, catalog: Catalog) {
  const group = new Group();
  const pickable: Object3D[] = [];
  const stands: Stand[] = [];
  const { bounds } = layout;
  const floor = new Mesh(
    new PlaneGeometry(bounds.maxX - bounds.minX, bounds.maxZ - bounds.minZ),
    new MeshLambertMaterial({ color: '#d9d4cb' }),
  );
  floor.rotation.x = -Math.PI / 2;
  floor.position.set((bounds.minX + bounds.maxX) / 2, 0, (bounds.minZ + bounds.maxZ) / 2);
  group.add(floor);
  const outer = new MeshLambertMaterial({ color: '#b9c2cc' });
  for (const w of layout.outerWalls) group.add(box(w, WALL_HEIGHT, outer));

  for (const room of layout.rooms) {
    const store = catalog.stores.find((s) => s.id === room.storeId);
    if (!store) continue;
    const color = store.colors['primary'] ?? '#3b6ea5';
    const wallMaterial = new MeshLambertMaterial({ color });
    for (const w of room.walls) group.add(box(w, WALL_HEIGHT, wallMaterial));
    const inside = new Mesh(
      new PlaneGeometry(room.rect.maxX - room.rect.minX, room.rect.maxZ - room.rect.minZ),
      new MeshLambertMaterial({ color: new Color(color).lerp(new Color('#ffffff'), 0.8) }),
    );
    inside.rotation.x = -Math.PI / 2;
    inside.position.set(room.door.x, 0.01, (room.rect.minZ + room.rect.maxZ) / 2);
    group.add(inside);
    const sign = new Mesh(
      new PlaneGeometry(5, 1),
      new MeshLambertMaterial({
        map: label([{ text: store.name, size: 72 }], color, inkOn(color), 640, 128),
      }),
    );
    // Above the door, on the corridor side.
    sign.position.set(room.door.x, WALL_HEIGHT - 0.55, room.door.z - 0.16);
    sign.rotation.y = Math.PI;
    group.add(sign);

    const products = catalog.products.get(store.id) ?? [];
    const standMaterial = new MeshLambertMaterial({ color: '#f4f1ea' });
    room.slots.forEach((slot, i) => {
      const product = products[i];
      if (!product) return;
      const base = new Mesh(new BoxGeometry(STAND, 0.9, STAND), standMaterial);
      base.position.set(slot.x, 0.45, slot.z);
      base.userData['productId'] = product.id;
      const panel = new Mesh(
        new PlaneGeometry(1.5, 0.75),
        new MeshLambertMaterial({
          map: label(
            [
              { text: product.name, size: 54 },
              { text: priceLabel(product), size: 44 },
            ],
            '#ffffff',
            '#1d2733',
          ),
        }),
      );
      // The panel stands on the base's back edge, facing the visitor.
      const fx = -Math.sin(slot.yaw);
      const fz = -Math.cos(slot.yaw);
      panel.position.set(slot.x - fx * 0.3, 1.45, slot.z - fz * 0.3);
      panel.rotation.y = slot.yaw + Math.PI;
      panel.userData['productId'] = product.id;
      const item = new Mesh(new BoxGeometry(0.35, 0.35, 0.35), new MeshLambertMaterial({ color }));
      item.position.set(slot.x, 1.08, slot.z);
      item.rotation.y = Math.PI / 4;
      item.userData['productId'] = product.id;
      group.add(base, panel, item);
      pickable.push(base, panel, item);
      stands.push({ x: slot.x, z: slot.z, product });
    });
  }
  return { group, pickable, stands };
}

/** Starts the walkable mall in `container` (the page's HTML stays the accessible way to shop). */
export function startScene(container: HTMLElement, catalog: Catalog, actions: SceneActions): void {
  const renderer = new WebGLRenderer({ antialias: true, powerPreference: 'high-performance' });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 1.5));
  renderer.outputColorSpace = SRGBColorSpace;
  const canvas = renderer.domElement;
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'application');
  canvas.setAttribute(
    'aria-label',
    'The mall in 3D. Walk with W, A, S, D or the arrow keys, look around by dragging or after a click, press E in front of a product to see it.',
  );
  const status = h('p', { class: 'hud-status', role: 'status' }, 'You are in the corridor');
  const nearby = h('button', { type: 'button', class: 'hud-nearby', hidden: true });
  const help = h(
    'p',
    { class: 'hud-help' },
    'W A S D or arrows: walk · drag or click: look · E: see the product in front of you · Esc: release the mouse',
  );
  const joystick = h('div', { class: 'joystick', hidden: true, 'aria-hidden': 'true' });
  const knob = h('div', { class: 'knob' });
  joystick.append(knob);
  const company = h('p', { class: 'hud-status' }, 'Nobody else here');
  const hud = h('div', { class: 'hud' }, status, company, nearby, help);
  const levels = levelsOf(catalog.stores);
  let level = levels.includes(0) ? 0 : (levels[0] ?? 0);
  if (levels.length > 1) {
    const select = h('select', { id: 'level-select' });
    for (const l of levels)
      select.append(h('option', { value: String(l), selected: l === level }, `Level ${l}`));
    select.addEventListener('change', () => {
      enterLevel(Number(select.value));
      canvas.focus();
    });
    hud.prepend(h('label', { for: 'level-select', class: 'hud-level' }, 'Level '), select);
  }
  container.append(canvas, hud, joystick);

  const scene = new Scene();
  scene.background = new Color('#eef2f6');
  scene.add(new HemisphereLight('#ffffff', '#8a8275', 1.6), new AmbientLight('#ffffff', 0.5));
  const sun = new DirectionalLight('#ffffff', 1.2);
  sun.position.set(20, 30, 10);
  scene.add(sun);
  const camera = new PerspectiveCamera(70, 1, 0.1, 300);
  camera.rotation.order = 'YXZ';

  let layout: MallLayout;
  let built: ReturnType<typeof buildLevel> | undefined;
  const player = { x: 0, z: 0, yaw: 0, pitch: 0 };
  function enterLevel(l: number) {
    level = l;
    if (built) {
      scene.remove(built.group);
      built.group.traverse((o) => {
        if (o instanceof Mesh) {
          (o.geometry as BoxGeometry | PlaneGeometry).dispose();
          const m = o.material as MeshLambertMaterial;
          m.map?.dispose();
          m.dispose();
        }
      });
    }
    layout = layoutMall(catalog.stores, l);
    built = buildLevel(layout, catalog);
    scene.add(built.group);
    Object.assign(player, { ...layout.spawn, pitch: 0 });
  }
  enterLevel(level);

  const resize = () => {
    const w = container.clientWidth || 1;
    const hgt = container.clientHeight || 1;
    renderer.setSize(w, hgt, false);
    camera.aspect = w / hgt;
    camera.updateProjectionMatrix();
  };
  new ResizeObserver(resize).observe(container);
  resize();

  // Input: keys held, pointer drags (mouse look, touch joystick and look), pointer lock.
  const held = new Set<string>();
  const stick = { id: -1, ox: 0, oy: 0, dx: 0, dy: 0 };
  const drag = { id: -1, x: 0, y: 0, sx: 0, sy: 0, at: 0, moved: 0 };
  const dialogOpen = () => document.querySelector('dialog[open]') !== null;
  const ownsKeys = (e: KeyboardEvent) =>
    !dialogOpen() && (e.target === canvas || e.target === document.body);
  const openNearby = () => {
    if (current) actions.openProduct(current.product.id);
  };
  window.addEventListener('keydown', (e) => {
    if (!ownsKeys(e)) return;
    if (e.code === 'KeyE' || e.code === 'Enter') {
      e.preventDefault();
      openNearby();
      return;
    }
    if (/^(Key[WASD]|Arrow(Up|Down|Left|Right)|ShiftLeft|ShiftRight)$/.test(e.code)) {
      e.preventDefault();
      held.add(e.code);
    }
  });
  window.addEventListener('keyup', (e) => held.delete(e.code));
  window.addEventListener('blur', () => {
    held.clear();
  });
  nearby.addEventListener('click', openNearby);

  const raycaster = new Raycaster();
  const pick = (clientX: number, clientY: number) => {
    const r = canvas.getBoundingClientRect();
    const locked = document.pointerLockElement === canvas;
    const ndc = locked
      ? new Vector2(0, 0)
      : new Vector2(
          ((clientX - r.left) / r.width) * 2 - 1,
          -((clientY - r.top) / r.height) * 2 + 1,
        );
    raycaster.setFromCamera(ndc, camera);
    const hit = raycaster.intersectObjects(built?.pickable ?? [], false)[0];
    const id = hit?.object.userData['productId'] as string | undefined;
    if (id && hit && hit.distance < 8) {
      actions.openProduct(id);
      return true;
    }
    return false;
  };

  canvas.addEventListener('pointerdown', (e) => {
    canvas.focus();
    const r = canvas.getBoundingClientRect();
    if (e.pointerType === 'touch' && e.clientX - r.left < r.width * 0.4 && stick.id < 0) {
      Object.assign(stick, { id: e.pointerId, ox: e.clientX, oy: e.clientY, dx: 0, dy: 0 });
      joystick.hidden = false;
      joystick.style.left = `${e.clientX - r.left}px`;
      joystick.style.top = `${e.clientY - r.top}px`;
      knob.style.transform = 'translate(0px, 0px)';
    } else if (drag.id < 0) {
      Object.assign(drag, {
        id: e.pointerId,
        x: e.clientX,
        y: e.clientY,
        sx: e.clientX,
        sy: e.clientY,
        at: performance.now(),
        moved: 0,
      });
    }
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (document.pointerLockElement === canvas) {
      player.yaw -= e.movementX * LOOK;
      player.pitch = Math.max(-1.2, Math.min(1.2, player.pitch - e.movementY * LOOK));
      return;
    }
    if (e.pointerId === stick.id) {
      const max = 50;
      const dx = Math.max(-max, Math.min(max, e.clientX - stick.ox));
      const dy = Math.max(-max, Math.min(max, e.clientY - stick.oy));
      stick.dx = dx / max;
      stick.dy = dy / max;
      knob.style.transform = `translate(${dx}px, ${dy}px)`;
    } else if (e.pointerId === drag.id) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      drag.x = e.clientX;
      drag.y = e.clientY;
      drag.moved = Math.max(drag.moved, Math.hypot(e.clientX - drag.sx, e.clientY - drag.sy));
      player.yaw += dx * 0.005;
      player.pitch = Math.max(-1.2, Math.min(1.2, player.pitch + dy * 0.005));
    }
  });
  const release = (e: PointerEvent) => {
    if (e.pointerId === stick.id) {
      stick.id = -1;
      stick.dx = 0;
      stick.dy = 0;
      joystick.hidden = true;
    } else if (e.pointerId === drag.id) {
      drag.id = -1;
      const tap = drag.moved < 8 && performance.now() - drag.at < 500;
      if (
        tap &&
        e.type === 'pointerup' &&
        !pick(e.clientX, e.clientY) &&
        e.pointerType === 'mouse'
      ) {
        // A click on nothing: look with the mouse (Esc gives it back).
        void Promise.resolve(canvas.requestPointerLock()).catch(() => undefined);
      }
    }
  };
  canvas.addEventListener('pointerup', release);
  canvas.addEventListener('pointercancel', release);

  const presence = connectPresence(scene, (n) => {
    company.textContent =
      n === 0 ? 'Nobody else here' : `${n} other ${n === 1 ? 'visitor' : 'visitors'} here`;
  });

  let current: Stand | undefined;
  let lastStatus = '';
  let last = performance.now();
  let first = true;
  renderer.setAnimationLoop((now) => {
    const dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    if (!dialogOpen()) {
      const k = (...codes: string[]) => (codes.some((c) => held.has(c)) ? 1 : 0);
      const run = k('ShiftLeft', 'ShiftRight') ? 1.8 : 1;
      player.yaw += (k('ArrowLeft') - k('ArrowRight')) * TURN * dt;
      const forward = k('KeyW', 'ArrowUp') - k('KeyS', 'ArrowDown') - stick.dy;
      const strafe = k('KeyD') - k('KeyA') + stick.dx;
      if (forward !== 0 || strafe !== 0) {
        const len = Math.max(1, Math.hypot(forward, strafe));
        const step = (SPEED * run * dt) / len;
        const fx = -Math.sin(player.yaw);
        const fz = -Math.cos(player.yaw);
        const to = {
          x: player.x + (fx * forward - fz * strafe) * step,
          z: player.z + (fz * forward + fx * strafe) * step,
        };
        Object.assign(player, walk(layout.obstacles, player, to));
      }
    }
    camera.position.set(player.x, EYE, player.z);
    camera.rotation.set(player.pitch, player.yaw, 0);
    presence.update(now, dt, { level, x: player.x, z: player.z, yaw: player.yaw });

    const room = roomAt(layout, player.x, player.z);
    const store = room && catalog.stores.find((s) => s.id === room.storeId);
    const text = store ? `You are in ${store.name}` : 'You are in the corridor';
    if (text !== lastStatus) {
      lastStatus = text;
      status.textContent = text;
    }
    const inFront = room ? standInFront(built?.stands ?? [], player) : undefined;
    if (inFront !== current) {
      current = inFront;
      nearby.hidden = !inFront;
      nearby.textContent = inFront ? `View ${inFront.product.name} (E)` : '';
    }
    renderer.render(scene, camera);
    if (first) {
      first = false;
      performance.mark('mall-first-frame');
      container.dataset['ready'] = 'true';
    }
  });
}
