type Child = Node | string | false | null | undefined;

/**
 * A DOM element in one expression. Text goes in as text nodes (never as HTML), so names
 * and descriptions from the catalog cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === false || c === null || c === undefined) continue;
    el.append(c);
  }
  return el;
}

/** An element the page is built with (index.html); its absence is a bug, so it throws. */
export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
}

export function dialogById(id: string): HTMLDialogElement {
  const el = byId(id);
  if (!(el instanceof HTMLDialogElement)) throw new Error(`#${id} is not a dialog`);
  return el;
}

export function buttonById(id: string): HTMLButtonElement {
  const el = byId(id);
  if (!(el instanceof HTMLButtonElement)) throw new Error(`#${id} is not a button`);
  return el;
}
