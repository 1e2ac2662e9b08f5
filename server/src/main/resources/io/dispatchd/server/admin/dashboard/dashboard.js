// dispatchd's dashboard: one JSON document a second from /events (Server-Sent Events, read with
// fetch so that a bearer token can go in a header, never in a URL), /stats polled when the stream
// drops. A document carries the whole history (/stats, a stream's first event) or only the last
// second's rates (each later event), which are added to the history kept here. Plain SVG charts;
// nothing is loaded from anywhere but this server.
'use strict';

const HISTORY = 300; // seconds, as the server keeps
let history = [];

const COLORS = ['#2e90fa', '#f04438', '#f79009', '#12b76a', '#7a5af8', '#ee46bc', '#0e9384', '#667085'];
const ACK_COLORS = {ok: '#12b76a', failed: '#f04438', bad_request: '#f79009', busy: '#7a5af8'};
let token = sessionStorage.getItem('dispatchd-admin-token');
let lastUpdate = 0;

function headers() {
  return token ? {Authorization: 'Bearer ' + token} : {};
}

function $(id) { return document.getElementById(id); }

function fmt(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  if (n >= 100) return Math.round(n) + '';
  return Math.round(n * 10) / 10 + '';
}

function seconds(s) {
  if (s === null || s === undefined) return '–';
  if (s < 1e-3) return (s * 1e6).toFixed(0) + ' µs';
  if (s < 1) return (s * 1e3).toFixed(s < 0.01 ? 2 : 0) + ' ms';
  return s.toFixed(2) + ' s';
}

function uptime(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return 'up ' + (d ? d + 'd ' : '') + (h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
}

function chart(svg, legend, history, series, colors) {
  const w = 600, h = 180, left = 44, bottom = 16;
  let max = 1;
  for (const p of history) for (const k of series) max = Math.max(max, p[k] || 0);
  const n = Math.max(history.length - 1, 1);
  const x = i => left + (w - left - 4) * i / n;
  const y = v => (h - bottom) - (h - bottom - 6) * v / max;
  let out = '';
  for (let g = 0; g <= 4; g++) {
    const v = max * g / 4;
    out += `<line class="grid" x1="${left}" x2="${w}" y1="${y(v)}" y2="${y(v)}"/>` +
      `<text class="axis" x="${left - 4}" y="${y(v) + 3}" text-anchor="end">${fmt(v)}</text>`;
  }
  out += `<text class="axis" x="${left}" y="${h - 2}">-${history.length}s</text><text class="axis" x="${w}" y="${h - 2}" text-anchor="end">now</text>`;
  series.forEach((k, i) => {
    const pts = history.map((p, j) => `${x(j).toFixed(1)},${y(p[k] || 0).toFixed(1)}`).join(' ');
    out += `<polyline data-series="${k}" stroke="${colors[k] || COLORS[i % COLORS.length]}" points="${pts}"/>`;
  });
  svg.innerHTML = out;
  legend.innerHTML = series.map((k, i) =>
    `<span><i style="background:${colors[k] || COLORS[i % COLORS.length]}"></i>${k}</span>`).join('');
}

function rows(table, entries) {
  table.querySelector('tbody').innerHTML = entries.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('');
}

function render(s) {
  lastUpdate = Date.now();
  if (s.history) {
    history = s.history;
  } else if (s.latest && !(history.length && history[history.length - 1].t >= s.latest.t)) {
    // (a stream opened as a sample was taken can get that second both in its history and as latest)
    history.push(s.latest);
    if (history.length > HISTORY) history.splice(0, history.length - HISTORY);
  }
  $('version').textContent = 'v' + s.version;
  $('uptime').textContent = uptime(s.uptimeSeconds);
  $('draining').hidden = !s.draining;
  $('unhealthy').hidden = !s.unhealthy || s.draining;
  $('unhealthy').textContent = s.unhealthy ? 'Unhealthy: ' + s.unhealthy : '';
  const last = history.length ? history[history.length - 1] : null;
  const total = last ? Object.values(last.ack).reduce((a, b) => a + b, 0) : 0;
  $('rate-total').textContent = fmt(total);
  $('rate-completed').textContent = fmt(last ? last.completed : 0);
  $('queued').textContent = fmt(s.jobs.queued);
  $('running').textContent = fmt(s.jobs.running);
  $('completed-ok').textContent = fmt(s.jobs.completedOk);
  $('completed-failed').textContent = fmt(s.jobs.completedFailed);
  $('connections').textContent = fmt(s.connections);
  $('busy').textContent = fmt(s.requests.busy);
  chart($('chart-ack'), $('legend-ack'), history.map(p => p.ack), Object.keys(ACK_COLORS), ACK_COLORS);
  const services = last ? Object.keys(last.service) : [];
  chart($('chart-service'), $('legend-service'), history.map(p => p.service), services, {});
  $('durations').querySelector('tbody').innerHTML = Object.entries(s.durationSeconds).map(([k, q]) =>
    `<tr><th>${k}</th><td>${seconds(q.p50)}</td><td>${seconds(q.p90)}</td><td>${seconds(q.p99)}</td></tr>`).join('');
  rows($('config'), Object.entries(s.config));
  rows($('backend'), Object.entries(Object.assign({}, s.backend, {
    'heap used': fmt(s.memory.heapUsedBytes / 1048576) + ' MB of ' + fmt(s.memory.heapMaxBytes / 1048576) + ' MB'})));
}

function status(text, cls) {
  const pill = $('live');
  pill.textContent = text;
  pill.className = 'pill ' + (cls || '');
}

function askForToken() {
  $('token').hidden = false;
  status('token needed');
}

async function poll() {
  const r = await fetch('/stats', {headers: headers(), cache: 'no-store'});
  if (r.status === 401) { askForToken(); return false; }
  render(await r.json());
  return true;
}

// Reads /events with fetch (EventSource cannot send a header): each "data: {...}" block is a sample.
async function stream() {
  const r = await fetch('/events', {headers: headers(), cache: 'no-store'});
  if (r.status === 401) { askForToken(); return; }
  if (!r.ok || !r.body) throw new Error('no stream: ' + r.status);
  status('live', 'live');
  const reader = r.body.getReader();
  const text = new TextDecoder();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) throw new Error('stream ended');
    buffer += text.decode(value, {stream: true});
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n');
      if (data) render(JSON.parse(data));
    }
  }
}

async function run() {
  for (;;) {
    try {
      await stream();
      if (!$('token').hidden) return; // waiting for a token
    } catch (e) {
      status('polling /stats', 'polling');
      // the stream dropped (server restarting, too many viewers): poll once a second, try the stream again later
      for (let i = 0; i < 10; i++) {
        try { if (!(await poll())) return; } catch (e2) { status('unreachable'); }
        await new Promise(r => setTimeout(r, 1000));
      }
    }
  }
}

$('token').addEventListener('submit', e => {
  e.preventDefault();
  token = $('token-value').value.trim();
  sessionStorage.setItem('dispatchd-admin-token', token);
  $('token').hidden = true;
  run();
});

run();
