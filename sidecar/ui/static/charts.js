// promoedge dashboard: the charts, drawn as SVG by hand. Every series has
// a colour, a legend entry with its total and a <title> per mark, and the
// numbers are also in a table beside each chart.
"use strict";

// One colour per series; the reasons' colours follow the check order.
const COLORS = {
  applied: "#1b7f3b", redemptions: "#1565c0", revenue: "#9ec5f0", discount: "#0d3c78",
  rule: "#b3261e", disabled: "#6b6b6b", not_started: "#7a5af8", expired: "#8d6e63",
  code_required: "#00838f", code_invalid: "#c2185b", code_used: "#ad1457", currency: "#5d4037",
  error: "#d50000", limit_exhausted: "#e65100", per_customer_limit: "#b08500", budget_exhausted: "#ef6c00",
  excluded: "#3949ab", holdout: "#00796b", other: "#424242",
};
const colorOf = (key) => COLORS[key] || COLORS.other;

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
function niceMax(v) {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((k) => k * p).find((x) => x >= v);
}

// dayAxes draws the frame of a chart of one bar slot per day and returns
// its scales; tick formats the values of the vertical axis.
function dayAxes(root, days, max, tick) {
  const W = 720, H = 200, left = 64, right = 12, top = 10, bottom = 24;
  const slot = (W - left - right) / days.length;
  const x = (i) => left + slot * (i + 0.5);
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  const ticks = Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max];
  for (const v of ticks) {
    root.append(svg("line", { x1: left, x2: W - right, y1: y(v), y2: y(v), class: "grid" }));
    root.append(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, tick(v)));
  }
  days.forEach((d, i) => {
    if (i % 7 !== (days.length - 1) % 7) return; // a label a week, ending today
    root.append(svg("text", { x: x(i), y: H - 6, "text-anchor": "middle", class: "tick" }, fmtDay(d.date)));
  });
  return { x, y, slot };
}

function titled(node, text) {
  node.append(svg("title", {}, text));
  return node;
}

function legend(ul, entries) {
  ul.replaceChildren(...entries.map(([key, label, total]) => {
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = colorOf(key);
    return el("li", { "data-series": key }, swatch, `${label} `, el("strong", {}, total));
  }));
}

// drawActivity: redemptions as bars, applied as a line, one scale.
function drawActivity(root, days) {
  root.replaceChildren();
  const max = niceMax(Math.max(...days.map((d) => Math.max(d.applied, d.redemptions))));
  const { x, y, slot } = dayAxes(root, days, max, fmtInt);
  days.forEach((d, i) => {
    if (!d.redemptions) return;
    root.append(titled(svg("rect", {
      x: x(i) - slot * 0.35, width: slot * 0.7, y: y(d.redemptions), height: y(0) - y(d.redemptions),
      fill: colorOf("redemptions"), "data-series": "redemptions", "data-value": d.redemptions,
    }), `${d.date}: ${fmtInt(d.redemptions)} redemptions`));
  });
  const points = days.map((d, i) => `${x(i).toFixed(1)},${y(d.applied).toFixed(1)}`).join(" ");
  const total = days.reduce((n, d) => n + d.applied, 0);
  root.append(titled(svg("polyline", { points, stroke: colorOf("applied"), class: "series", "data-series": "applied", "data-total": total }),
    `applied: ${fmtInt(total)} in ${days.length} days`));
  return { applied: total, redemptions: days.reduce((n, d) => n + d.redemptions, 0) };
}

// drawMoney: revenue bars with the discount bars inside them, one scale.
function drawMoney(root, days, currency) {
  root.replaceChildren();
  const max = niceMax(Math.max(...days.map((d) => Math.max(d.revenue, d.discount))));
  const { x, y, slot } = dayAxes(root, days, max, (v) => fmtMoneyShort(v, currency));
  days.forEach((d, i) => {
    for (const [key, w] of [["revenue", 0.7], ["discount", 0.4]]) {
      if (!d[key]) continue;
      root.append(titled(svg("rect", {
        x: x(i) - slot * w / 2, width: slot * w, y: y(d[key]), height: y(0) - y(d[key]),
        fill: colorOf(key), "data-series": key, "data-value": d[key],
      }), `${d.date}: ${key} ${fmtMoney(d[key], currency)}`));
    }
  });
}

// reasonsOf is every rejection reason that occurred in days, most first.
function reasonsOf(days) {
  const sums = {};
  for (const d of days) for (const [r, n] of Object.entries(d.rejections || {})) sums[r] = (sums[r] || 0) + n;
  return Object.entries(sums).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
}

// drawRejections: a bar a day, stacked by reason.
function drawRejections(root, days) {
  root.replaceChildren();
  const reasons = reasonsOf(days).map(([r]) => r);
  const dayTotal = (d) => reasons.reduce((n, r) => n + ((d.rejections || {})[r] || 0), 0);
  const max = niceMax(Math.max(...days.map(dayTotal)));
  const { x, y, slot } = dayAxes(root, days, max, fmtInt);
  days.forEach((d, i) => {
    let base = 0;
    for (const r of reasons) {
      const n = (d.rejections || {})[r] || 0;
      if (!n) continue;
      root.append(titled(svg("rect", {
        x: x(i) - slot * 0.35, width: slot * 0.7, y: y(base + n), height: y(base) - y(base + n),
        fill: colorOf(r), "data-series": r, "data-value": n,
      }), `${d.date}: ${fmtInt(n)} rejected ${r}`));
      base += n;
    }
  });
  return reasonsOf(days);
}

// sparkline is a small bar chart of values (one a day), for a table cell.
function sparkline(values, label) {
  const W = 120, H = 28;
  const max = Math.max(1, ...values);
  const w = W / values.length;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "spark", role: "img", "aria-label": label });
  root.append(svg("line", { x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5, class: "grid" }));
  values.forEach((v, i) => {
    if (!v) return;
    const h = Math.max(1, (H - 2) * v / max);
    root.append(svg("rect", { x: i * w + 0.5, width: Math.max(1, w - 1), y: H - 1 - h, height: h, fill: colorOf("redemptions") }));
  });
  return root;
}

// reasonBar is a thin horizontal bar of a campaign's rejections split by
// reason, with the reasons as text beside it.
function reasonBar(rejections) {
  const entries = Object.entries(rejections || {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((n, [, v]) => n + v, 0);
  const cell = el("div", { class: "reasons" });
  if (!total) {
    cell.append(el("span", { class: "help" }, "none"));
    return cell;
  }
  const W = 120, H = 10;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "reason-bar", "aria-hidden": "true" });
  let at = 0;
  for (const [r, n] of entries) {
    const w = W * n / total;
    root.append(titled(svg("rect", { x: at, width: w, y: 0, height: H, fill: colorOf(r) }), `${r}: ${fmtInt(n)}`));
    at += w;
  }
  cell.append(root, el("span", { class: "reason-text" }, entries.map(([r, n]) => `${r} ${fmtInt(n)}`).join(", ")));
  return cell;
}

// ciBar draws a confidence interval of a difference in percentage points
// on a scale of ±span, with zero marked.
function ciBar(lo, hi, span) {
  const W = 140, H = 16, mid = W / 2;
  const sx = (v) => mid + (v / span) * (W / 2 - 4);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "ci", "aria-hidden": "true" });
  root.append(svg("line", { x1: mid, x2: mid, y1: 0, y2: H, class: "zero" }));
  const cls = lo > 0 ? "ci-up" : hi < 0 ? "ci-down" : "ci-flat";
  root.append(svg("rect", { x: sx(lo), width: Math.max(2, sx(hi) - sx(lo)), y: 4, height: H - 8, class: cls }));
  return root;
}
