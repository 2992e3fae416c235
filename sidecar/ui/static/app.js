// promoedge dashboard: reads the sidecar's JSON API every few seconds and
// draws it; the only write is the kill switch. No framework, no build step,
// no request to any other host (see RATIONALE.md).
"use strict";

const REFRESH_MS = 5000;
const API = "../v1/"; // the page is served at /ui/
const TOKEN_KEY = "promoedge.adminToken";
// One colour per series, told apart by the legend and the data table too.
const COLORS = {
  applications: "#1b7f3b", rule: "#b3261e", disabled: "#6b6b6b", not_started: "#7a5af8",
  expired: "#8d6e63", code_required: "#00838f", code_invalid: "#c2185b", code_used: "#ad1457",
  currency: "#5d4037", error: "#d50000", limit_exhausted: "#e65100", per_customer_limit: "#f9a825",
  budget_exhausted: "#ef6c00", excluded: "#1565c0", other: "#424242",
};
const SVG = "http://www.w3.org/2000/svg";

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

async function getJSON(path) {
  const headers = { Accept: "application/json" };
  // A sidecar started with --api-token answers /v1/ reads only with a
  // token: the admin token, when one was entered, opens them.
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) headers.Authorization = `Bearer ${saved}`;
  const resp = await fetch(API + path, { headers, cache: "no-store" });
  const body = await resp.json().catch(() => null);
  if (!resp.ok) throw new Error(`${resp.status}: ${body && body.error ? body.error.message : resp.statusText}`);
  return body;
}

function showError(id, err) {
  const p = $(id);
  p.hidden = !err;
  p.textContent = err ? `Could not load: ${err.message}` : "";
}

const fmtTime = (iso, tz) => {
  if (!iso) return "";
  const opts = { dateStyle: "medium", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone: tz || "UTC" }).format(new Date(iso));
  } catch (e) { // a zone this browser does not know
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone: "UTC" }).format(new Date(iso)) + " UTC";
  }
};
const fmtClock = (iso) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
const fmtInt = (n) => Number(n).toLocaleString();

// fmtMoney shows minor units in the campaign's currency when it has one.
function fmtMoney(minor, currency) {
  if (!currency) return `${fmtInt(minor)} (minor units)`;
  try {
    const nf = new Intl.NumberFormat(undefined, { style: "currency", currency });
    return nf.format(minor / 10 ** nf.resolvedOptions().maximumFractionDigits);
  } catch (e) {
    return `${fmtInt(minor)} ${currency} (minor units)`;
  }
}

// ---- campaigns ----

// stateOf is the dashboard's state of a campaign: the API's status, with a
// campaign whose redemption or budget limit is used up shown as exhausted.
function stateOf(c) {
  switch (c.status) {
    case "disabled": return "disabled";
    case "not_started": return "scheduled";
    case "expired": return "expired";
  }
  const u = c.usage;
  if (u && (u.redemptions_left === 0 || u.budget_left === 0)) return "exhausted";
  return "enabled";
}

function schedule(c) {
  if (!c.valid_from && !c.valid_until) return "always";
  const tz = c.timezone || "UTC";
  const from = c.valid_from ? fmtTime(c.valid_from, tz) : "…";
  const until = c.valid_until ? fmtTime(c.valid_until, tz) : "…";
  return `${from} – ${until} (${tz})`;
}

// bar is a usage bar: used of limit, with its numbers as text beside it.
function bar(kind, used, limit, text) {
  const pct = limit > 0 ? Math.min(100, (100 * used) / limit) : 0;
  const fill = el("span", { class: "fill" + (pct >= 100 ? " full" : pct >= 80 ? " high" : "") });
  fill.style.width = `${pct}%`;
  return el("div", { class: "usage" },
    el("div", {
      class: "bar", role: "progressbar", "data-limit": kind, "aria-label": `${kind} used`,
      "aria-valuemin": "0", "aria-valuemax": String(limit), "aria-valuenow": String(used), "aria-valuetext": text,
    }, fill),
    el("span", { class: "usage-text" }, text));
}

function usageCell(c) {
  const cell = el("td", { class: "limits" });
  const u = c.usage || { redemptions: 0, budget_spent: 0 };
  const l = c.limits || {};
  if (l.redemptions) {
    cell.append(bar("redemptions", u.redemptions, l.redemptions,
      `${fmtInt(u.redemptions)} of ${fmtInt(l.redemptions)} redemptions`));
  }
  if (l.budget) {
    cell.append(bar("budget", u.budget_spent, l.budget,
      `${fmtMoney(u.budget_spent, c.currency)} of ${fmtMoney(l.budget, c.currency)} budget`));
  }
  if (l.per_customer) cell.append(el("p", { class: "help" }, `${fmtInt(l.per_customer)} per customer`));
  if (!l.redemptions && !l.budget) {
    cell.append(el("p", { class: "help" }, `no cluster-wide limit · ${fmtInt(u.redemptions)} redeemed`));
  }
  return cell;
}

// rows keeps each campaign's row, so that a refresh updates it in place
// and keyboard focus on its button survives.
const rows = new Map();

function campaignRow(c) {
  let r = rows.get(c.id);
  if (!r) {
    const button = el("button", { type: "button", class: "switch" });
    button.addEventListener("click", () => toggle(r.campaign, button));
    const tr = el("tr", { "data-campaign": c.id });
    r = { tr, button, campaign: c };
    rows.set(c.id, r);
  }
  r.campaign = c;
  const state = stateOf(c);
  const disable = c.status !== "disabled";
  r.button.textContent = disable ? "Disable" : "Enable";
  r.button.className = "switch " + (disable ? "danger" : "");
  r.button.setAttribute("aria-label", `${disable ? "Disable" : "Enable"} ${c.id}`);
  r.button.dataset.action = disable ? "disable" : "enable";
  const name = el("td", {}, el("strong", {}, c.name || c.id), el("br"), el("code", {}, c.id));
  if (c.code) name.append(" · code ", el("code", {}, c.code));
  if (c.unique_codes) name.append(" · unique codes");
  r.tr.replaceChildren(
    name,
    el("td", {}, el("span", { class: `state state-${state}`, "data-state": state }, state)),
    el("td", {}, schedule(c)),
    el("td", { class: "num" }, String(c.priority)),
    usageCell(c),
    el("td", {}, r.button));
  return r.tr;
}

function renderCampaigns(data) {
  $("#campaigns-revision").textContent = data.bundle_revision;
  const list = [...data.campaigns].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  const tbody = $("#campaigns tbody");
  const seen = new Set(list.map((c) => c.id));
  for (const id of [...rows.keys()]) if (!seen.has(id)) { rows.get(id).tr.remove(); rows.delete(id); }
  list.forEach((c, i) => {
    const tr = campaignRow(c);
    if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
  });
}

// ---- kill switch ----

const tokenInput = () => $("#admin-token");

function token() {
  const t = tokenInput().value.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  return t;
}

function say(text, isError) {
  const p = $("#switch-result");
  p.textContent = text;
  p.className = "result " + (isError ? "error" : "ok");
}

async function toggle(c, button) {
  const action = button.dataset.action;
  const t = token();
  if (!t) {
    say(`Enter the admin token above to ${action} ${c.id}.`, true);
    tokenInput().focus();
    return;
  }
  button.disabled = true;
  try {
    const resp = await fetch(`${API}campaigns/${encodeURIComponent(c.id)}/${action}`, {
      method: "POST", headers: { Authorization: `Bearer ${t}` }, cache: "no-store",
    });
    const body = await resp.json().catch(() => null);
    const msg = body && body.error ? body.error.message : resp.statusText;
    if (resp.status === 401) {
      say(`401 Unauthorized: the admin token was refused, ${c.id} was not changed.`, true);
    } else if (resp.status === 403) {
      say(`403 Forbidden: ${msg}; ${c.id} was not changed.`, true);
    } else if (!resp.ok) {
      say(`${resp.status}: ${msg}; ${c.id} was not changed.`, true);
    } else {
      const now = new Date().toLocaleTimeString();
      const stuck = action === "enable" && body.status === "disabled";
      say(stuck ? `${c.id}: kill switch off at ${now}, but the campaign is disabled in its bundle.`
        : `${c.id} ${action}d at ${now} (status now: ${stateOf(body)}).`, stuck);
      refresh();
    }
  } catch (e) {
    say(`Could not reach the sidecar: ${e.message}; ${c.id} may not have changed.`, true);
  } finally {
    button.disabled = false;
  }
}

// ---- bundles and cluster ----

function renderBundles(b) {
  const dl = $("#bundle-active");
  dl.replaceChildren();
  const act = b.active;
  const facts = act ? [["Active revision", act.revision], ["Activated", fmtTime(act.activated_at)],
    ["Source", act.source], ["Campaigns", act.campaigns === undefined ? "" : fmtInt(act.campaigns)]]
    : [["Active revision", "none: not serving"]];
  for (const [k, v] of facts) dl.append(el("div", {}, el("dt", {}, k), el("dd", { "data-fact": k }, v || "–")));
  const refused = $("#bundle-refused");
  refused.hidden = !b.last_error;
  if (b.last_error) {
    refused.replaceChildren(el("p", {}, `Last bundle refused at ${fmtTime(b.last_error.at)} from ${b.last_error.source}:`),
      el("ul", {}, ...b.last_error.errors.map((e) => el("li", {}, e))));
  }
  const tbody = $("#bundle-history tbody");
  tbody.replaceChildren(...[...(b.history || [])].reverse().map((h) => el("tr", {},
    el("td", {}, el("code", {}, h.revision)), el("td", {}, fmtTime(h.activated_at)), el("td", {}, h.source),
    el("td", { class: "num" }, h.campaigns === undefined ? "" : fmtInt(h.campaigns)))));
}

function renderCluster(c) {
  const warning = $("#cluster-warning");
  warning.hidden = !c.warning;
  warning.textContent = c.warning ? `${c.warning} (minters: ${(c.minters || []).join(", ")})` : "";
  $("#cluster-caption").textContent = c.node ? `Members seen by ${c.node}` : "A lone sidecar (not in a cluster)";
  $("#cluster tbody").replaceChildren(...c.members.map((m) => el("tr", { "data-member": m.name },
    el("td", {}, (m.name || "this sidecar") + (m.self ? " (this node)" : "") + (m.minter ? " · mints limits" : "")),
    el("td", {}, el("span", { class: `state member-${m.state}` }, m.state)),
    el("td", {}, el("code", {}, m.bundle_revision || "–")), el("td", {}, m.addr || "–"),
    el("td", {}, m.since && !m.since.startsWith("0001") ? fmtTime(m.since) : "–"))));
}

// ---- refresh loop ----

const sections = [
  ["campaigns", "#campaigns-error", renderCampaigns],
  ["activity", "#activity-error", renderActivity],
  ["bundles", "#bundles-error", renderBundles],
  ["cluster", "#cluster-error", renderCluster],
];

let refreshing = null;

function refresh() {
  refreshing = refreshing || Promise.allSettled(sections.map(async ([path, errId, render]) => {
    try {
      render(await getJSON(path));
      showError(errId, null);
    } catch (e) {
      showError(errId, e);
      throw e;
    }
  })).then((results) => {
    const failed = results.filter((r) => r.status === "rejected").length;
    const at = new Date().toLocaleTimeString();
    $("#refresh-status").textContent = failed ? `Updated ${at}; ${failed} of ${results.length} parts failed to load`
      : `Updated ${at}`;
    document.body.dataset.loaded = "true";
  }).finally(() => { refreshing = null; });
  return refreshing;
}

function start() {
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) tokenInput().value = saved;
  $("#token-form").addEventListener("submit", (e) => { e.preventDefault(); token(); });
  tokenInput().addEventListener("change", token);
  $("#token-clear").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    tokenInput().value = "";
    say("Admin token forgotten.", false);
  });
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
}

start();
