// promoedge dashboard: the campaigns table — each campaign's state, its
// last 30 days from the statistics, the live use of its limits, and the
// kill switch, which asks for confirmation first.
"use strict";

// view is what the panels last loaded, shared: the campaigns of the
// active bundle and the statistics.
const view = { campaigns: null, stats: null };

function campaignById(id) {
  return (view.campaigns || []).find((c) => c.id === id);
}

// currencyOf is the currency a campaign's amounts are shown in: its own,
// or, for a campaign without one, the one currency every other campaign
// has (a shop that sells in one currency); "" shows minor units.
function currencyOf(c) {
  if (c && c.currency) return c.currency;
  const all = new Set((view.campaigns || []).map((x) => x.currency).filter(Boolean));
  return all.size === 1 ? [...all][0] : "";
}

function statsOf(id) {
  return ((view.stats && view.stats.campaigns) || []).find((c) => c.campaign === id);
}

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
  if (!c.valid_from && !c.valid_until) return "always on";
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
    // The cells are made once and their contents replaced: a refresh
    // never detaches the button a pointer or the keyboard is on.
    const cells = [el("th", { scope: "row" }), el("td"), el("td"), ...["applied", "redemptions", "discount", "revenue"]
      .map((k) => el("td", { class: "num", "data-stat": k })), el("td", { class: "limits" }), el("td", { "data-stat": "rejections" })];
    r = { tr: el("tr", { "data-campaign": c.id }, ...cells, el("td", {}, button)), cells, button, campaign: c };
    rows.set(c.id, r);
  }
  r.campaign = c;
  const state = stateOf(c);
  const disable = c.status !== "disabled";
  r.button.textContent = disable ? "Disable" : "Enable";
  r.button.className = "switch " + (disable ? "danger" : "");
  r.button.setAttribute("aria-label", `${disable ? "Disable" : "Enable"} ${c.id}`);
  r.button.dataset.action = disable ? "disable" : "enable";
  const name = [el("strong", {}, c.name || c.id), el("br"), el("code", {}, c.id)];
  if (c.valid_from || c.valid_until) name.push(el("br"), el("span", { class: "help" }, schedule(c)));
  if (c.code) name.push(" · code ", el("code", {}, c.code));
  if (c.variants) name.push(" · ", el("a", { href: `#experiment-${c.id}` }, "experiment"));
  const st = statsOf(c.id);
  const t = st ? st.total : null;
  const cur = currencyOf(c);
  const contents = [name,
    [el("span", { class: `state state-${state}`, "data-state": state }, state)],
    [st ? sparkline(st.days.map((d) => d.redemptions), `${c.id}: redemptions per day, ${fmtInt(t.redemptions)} in ${st.days.length} days`) : "–"],
    [t ? fmtInt(t.applied) : "–"], [t ? fmtInt(t.redemptions) : "–"],
    [t ? fmtMoney(t.discount, cur) : "–"], [t ? fmtMoney(t.revenue, cur) : "–"],
    [...usageCell(c).childNodes],
    [t ? reasonBar(t.rejections) : "–"]];
  contents.forEach((nodes, i) => r.cells[i].replaceChildren(...nodes));
  return r.tr;
}

function renderCampaignTable() {
  if (!view.campaigns) return;
  const list = [...view.campaigns].sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  const tbody = $("#campaigns tbody");
  const seen = new Set(list.map((c) => c.id));
  for (const id of [...rows.keys()]) if (!seen.has(id)) { rows.get(id).tr.remove(); rows.delete(id); }
  list.forEach((c, i) => {
    const tr = campaignRow(c);
    if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
  });
}

function loadCampaigns() {
  return panelLoad("#campaigns-error", false, async () => {
    const data = await getJSON("campaigns");
    $("#campaigns-revision").textContent = data.bundle_revision;
    view.campaigns = data.campaigns;
    renderCampaignTable();
  });
}

// ---- the kill switch ----

async function toggle(c, button) {
  const action = button.dataset.action;
  const t = token();
  if (!t) {
    say("#switch-result", `Enter the admin token above to ${action} ${c.id}.`, true);
    tokenInput().focus();
    return;
  }
  const ok = await confirmAction(action === "disable" ? {
    title: `Disable ${c.name || c.id}?`,
    message: `Campaign ${c.id} stops applying on every node within seconds: carts priced from then on get no discount from it. You can enable it again.`,
    confirmLabel: `Disable ${c.id}`,
  } : {
    title: `Enable ${c.name || c.id}?`,
    message: `Campaign ${c.id} applies again on every node within seconds, as its bundle and limits allow.`,
    confirmLabel: `Enable ${c.id}`,
  });
  if (!ok) {
    say("#switch-result", `${c.id} was not changed.`, false);
    return;
  }
  button.disabled = true;
  try {
    const body = await call("POST", `campaigns/${encodeURIComponent(c.id)}/${action}`);
    const now = new Date().toLocaleTimeString();
    const stuck = action === "enable" && body.status === "disabled";
    say("#switch-result", stuck ? `${c.id}: kill switch off at ${now}, but the campaign is disabled in its bundle.`
      : `${c.id} ${action}d at ${now} (status now: ${stateOf(body)}).`, stuck);
    refresh();
  } catch (e) {
    if (e.status === 401) say("#switch-result", `401 Unauthorized: the admin token was refused, ${c.id} was not changed.`, true);
    else if (e.status) say("#switch-result", `${e.message}; ${c.id} was not changed.`, true);
    else say("#switch-result", `Could not reach the sidecar: ${e.message}; ${c.id} may not have changed.`, true);
  } finally {
    button.disabled = false;
  }
}
