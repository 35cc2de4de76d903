/**
 * The pages' one script, inlined with the CSP nonce. Everything it does is an extra over
 * the server-rendered page, which works without it: a ticking countdown (the page shows
 * the time left when rendered), copy buttons (hidden until the script shows them), and
 * the live status from `/events` (without script, a meta refresh reloads the page).
 */
export const CHECKOUT_JS = `
(function () {
  // Pages in a final state carry an empty data-events: nothing to follow.
  var root = document.querySelector('[data-events]:not([data-events=""])');
  var timer = document.getElementById('countdown');
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  if (timer) {
    var end = Date.parse(timer.getAttribute('datetime'));
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      timer.textContent = (h > 0 ? h + ':' + pad(m) : String(m)) + ':' + pad(s);
      if (left === 0) { clearInterval(ticking); }
    };
    var ticking = setInterval(tick, 1000);
    tick();
  }
  document.querySelectorAll('button[data-copy]').forEach(function (b) {
    b.hidden = false;
    var label = b.textContent;
    b.addEventListener('click', function () {
      var done = function () { b.textContent = 'Copied'; setTimeout(function () { b.textContent = label; }, 2000); };
      if (navigator.clipboard) navigator.clipboard.writeText(b.getAttribute('data-copy')).then(done, function () {});
    });
  });
  if (root && 'EventSource' in window) {
    var source = new EventSource(root.getAttribute('data-events'));
    var failures = 0;
    source.addEventListener('status', function (e) {
      failures = 0;
      var d = JSON.parse(e.data);
      var panel = document.getElementById('status-panel');
      if (panel) panel.innerHTML = d.html;
      if (d.final) {
        document.querySelectorAll('[data-while-open]').forEach(function (n) { n.hidden = true; });
        source.close();
      }
    });
    source.onerror = function () {
      // The browser reconnects by itself; after repeated failures a reload shows the state.
      failures += 1;
      if (failures > 5) { source.close(); setTimeout(function () { location.reload(); }, 15000); }
    };
  }
})();
`;
