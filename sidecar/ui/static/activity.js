// promoedge dashboard: the activity charts (decisions and redemptions per
// minute over the last hour) and their table; app.js calls renderActivity.

function renderTotals(a) {
  const rejected = Object.values(a.total.rejections).reduce((x, y) => x + y, 0);
  const dl = $("#activity-totals");
  dl.replaceChildren();
  for (const [label, n, key] of [["Carts priced", a.total.evaluations, "evaluations"],
    ["Campaigns applied", a.total.applications, "applications"], ["Rejections", rejected, "rejections"],
    ["Redemptions", a.total.redemptions, "redemptions"]]) {
    dl.append(el("div", { "data-total": key }, el("dt", {}, label), el("dd", {}, fmtInt(n))));
  }
}

// series is what the decisions chart draws: applications, then each
// rejection reason that occurred in the hour.
function series(a) {
  const out = [{ key: "applications", label: "applied", values: a.minutes.map((m) => m.applications) }];
  for (const r of a.reasons) {
    const values = a.minutes.map((m) => m.rejections[r] || 0);
    if (values.some((v) => v > 0)) out.push({ key: r, label: `rejected: ${r}`, values });
  }
  return out;
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
function niceMax(v) {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((k) => k * p).find((x) => x >= v);
}

// axes draws the frame of a chart of n minutes and returns its scales.
function axes(root, minutes, max, h) {
  const W = 720, left = 48, right = 12, top = 10, bottom = 24;
  const x = (i) => left + ((W - left - right) * i) / (minutes.length - 1);
  const y = (v) => top + (h - top - bottom) * (1 - v / max);
  for (const v of Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max]) { // counts: whole ticks only
    root.append(svg("line", { x1: left, x2: W - right, y1: y(v), y2: y(v), class: "grid" }));
    const t = svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" });
    t.textContent = fmtInt(v);
    root.append(t);
  }
  minutes.forEach((m, i) => {
    if (i % 15 !== 14 && i !== 0) return;
    const t = svg("text", { x: x(i), y: h - 6, "text-anchor": i === 0 ? "start" : "middle", class: "tick" });
    t.textContent = i === minutes.length - 1 ? "now" : fmtClock(m.start);
    root.append(t);
  });
  return { x, y, w: (W - left - right) / minutes.length };
}

function drawDecisions(a) {
  const root = $("#chart-decisions");
  root.replaceChildren();
  const all = series(a);
  const max = niceMax(Math.max(...all.flatMap((s) => s.values)));
  const { x, y } = axes(root, a.minutes, max, 240);
  const legend = $("#legend-decisions");
  legend.replaceChildren();
  for (const s of all) {
    const color = COLORS[s.key] || COLORS.other;
    const total = s.values.reduce((p, q) => p + q, 0);
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    const line = svg("polyline", { points, stroke: color, class: "series", "data-series": s.key, "data-total": total });
    const title = svg("title");
    title.textContent = `${s.label}: ${fmtInt(total)} in the last hour`;
    line.append(title);
    root.append(line);
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = color;
    legend.append(el("li", { "data-series": s.key }, swatch, `${s.label} `, el("strong", {}, fmtInt(total))));
  }
}

function drawRedemptions(a) {
  const root = $("#chart-redemptions");
  root.replaceChildren();
  const values = a.minutes.map((m) => m.redemptions);
  const max = niceMax(Math.max(...values));
  const { x, y, w } = axes(root, a.minutes, max, 160);
  values.forEach((v, i) => {
    if (!v) return;
    const r = svg("rect", { x: x(i) - w / 2 + 1, y: y(v), width: Math.max(1, w - 2), height: y(0) - y(v), class: "bar-redemptions", "data-minute": a.minutes[i].start, "data-value": v });
    const title = svg("title");
    title.textContent = `${fmtClock(a.minutes[i].start)}: ${fmtInt(v)} redemptions`;
    r.append(title);
    root.append(r);
  });
}

function renderActivityTable(a) {
  const tbody = $("#activity-table tbody");
  tbody.replaceChildren();
  for (const m of [...a.minutes].reverse()) {
    const rejected = Object.entries(m.rejections);
    if (!m.evaluations && !m.redemptions && !rejected.length) continue;
    const why = rejected.map(([r, n]) => `${r} ${fmtInt(n)}`).join(", ") || "0";
    tbody.append(el("tr", {}, el("th", { scope: "row" }, fmtClock(m.start)), el("td", { class: "num" }, fmtInt(m.evaluations)),
      el("td", { class: "num" }, fmtInt(m.applications)), el("td", {}, why), el("td", { class: "num" }, fmtInt(m.redemptions))));
  }
  if (!tbody.children.length) tbody.append(el("tr", {}, el("td", { colspan: "5" }, "Nothing in the last hour.")));
}

function renderActivity(a) {
  renderTotals(a);
  drawDecisions(a);
  drawRedemptions(a);
  renderActivityTable(a);
}

