/**
 * A self-contained API reference page rendered from the OpenAPI document: no CDN, no
 * script, so it works on an offline laptop and under a strict CSP.
 */

interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string } | undefined>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderDocsPage(doc: OpenApiDoc): string {
  const ops: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      const auth = op.security && op.security.length > 0 ? 'bearer token' : 'public';
      const responses = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><code>${esc(code)}</code> ${esc(r?.description ?? '')}</li>`)
        .join('');
      ops.push(`<section>
  <h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
  <p>${esc(op.summary ?? '')}</p>
  <p class="d">${esc(op.description ?? '')}</p>
  <p class="a">Auth: ${auth}</p>
  <details><summary>Responses</summary><ul>${responses}</ul></details>
</section>`);
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
section{border-top:1px solid #d0d7de;padding:.5rem 0}
.m{font:600 12px monospace;padding:2px 6px;border-radius:4px;color:#fff;background:#57606a}
.get{background:#0969da}.post{background:#1a7f37}.delete{background:#cf222e}.patch,.put{background:#9a6700}
.d{white-space:pre-wrap;color:#57606a}.a{font-size:13px;color:#57606a}
</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description ?? '')}</p>
<p>The machine-readable specification is at <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${ops.join('\n')}
</body></html>`;
}
