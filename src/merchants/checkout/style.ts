/**
 * The pages' one stylesheet, inlined with the CSP nonce (no file to fetch, nothing from
 * another origin). Phone-sized first; light and dark follow the device's setting. Text
 * colours keep a contrast of at least 4.5:1 on their backgrounds in both themes.
 */
export const CHECKOUT_CSS = `
:root { color-scheme: light dark; --bg: #f4f5f7; --card: #ffffff; --text: #111827; --muted: #4b5563;
  --line: #d1d5db; --accent: #1d4ed8; --accent-text: #ffffff; --ok: #166534; --ok-bg: #dcfce7;
  --warn: #92400e; --warn-bg: #fef3c7; --bad: #991b1b; --bad-bg: #fee2e2; --test-bg: #fde68a; --test: #422006; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0b0f17; --card: #161b26; --text: #f3f4f6; --muted: #b6bcc8; --line: #374151;
    --accent: #93b4ff; --accent-text: #0b0f17; --ok: #86efac; --ok-bg: #14321f; --warn: #fcd34d;
    --warn-bg: #3a2a0a; --bad: #fca5a5; --bad-bg: #3b1111; --test-bg: #713f12; --test: #fef3c7; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 30rem; margin: 0 auto; padding: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1rem; margin: 0 0 1rem; }
h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
p { margin: .25rem 0; }
.muted { color: var(--muted); }
.amount { font-size: 2rem; font-weight: 700; margin: .25rem 0; font-variant-numeric: tabular-nums; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; font-size: .9rem; }
.qr { background: #ffffff; padding: .5rem; border-radius: 8px; width: min(100%, 16rem); margin: .5rem auto; }
.qr svg { display: block; width: 100%; height: auto; }
.status { border-radius: 8px; padding: .75rem; margin: .5rem 0; font-weight: 600; }
.status-open, .status-processing { background: var(--warn-bg); color: var(--warn); }
.status-paid { background: var(--ok-bg); color: var(--ok); }
.status-bad { background: var(--bad-bg); color: var(--bad); }
.status p { font-weight: 400; }
.status a { color: inherit; }
.test-banner { background: var(--test-bg); color: var(--test); text-align: center; padding: .4rem; font-weight: 600; }
a { color: var(--accent); }
button, .button { display: inline-block; font: inherit; font-weight: 600; border: 0; border-radius: 8px;
  padding: .7rem 1rem; background: var(--accent); color: var(--accent-text); cursor: pointer; text-decoration: none; min-height: 44px; }
button.secondary { background: transparent; color: var(--accent); border: 1px solid var(--accent); }
.row { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.options { list-style: none; padding: 0; margin: 0; }
.options li { display: flex; justify-content: space-between; gap: .5rem; padding: .4rem 0; border-bottom: 1px solid var(--line); }
.options li:last-child { border-bottom: 0; }
label { display: block; font-weight: 600; margin: .5rem 0 .25rem; }
input, select { font: inherit; width: 100%; padding: .6rem; border-radius: 8px; border: 1px solid var(--muted);
  background: var(--card); color: var(--text); min-height: 44px; }
.error { color: var(--bad); font-weight: 600; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .35rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.keypad-amount { font-size: 1.75rem; text-align: right; }
footer { text-align: center; font-size: .85rem; padding: 1rem; }
@media print { .no-print { display: none; } body { background: #fff; color: #000; } .card { border: 0; } }
`;
