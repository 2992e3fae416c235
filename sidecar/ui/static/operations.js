// promoedge dashboard: the operator's parts — the audit log, the webhook
// endpoints' deliveries, the active bundle and its history, and the
// cluster's members.
"use strict";

function loadAudit() {
  return panelLoad("#audit-error", true, async () => {
    const out = await getJSON("audit?limit=50");
    const list = [...out.entries].reverse();
    $("#audit-log tbody").replaceChildren(...list.map((e) => el("tr", { "data-action": e.action },
      el("td", {}, fmtTime(e.at)), el("td", {}, el("code", {}, e.action)), el("td", {}, e.target || "–"),
      el("td", {}, e.source), el("td", {}, el("code", {}, e.token)), el("td", { class: "num" }, String(e.status)))));
    if (!list.length) $("#audit-log tbody").append(el("tr", {}, el("td", { colspan: "6" }, "No admin action yet.")));
  });
}

function loadWebhooks() {
  return panelLoad("#webhooks-error", true, async () => {
    const out = await getJSON("webhooks");
    const tbody = $("#webhooks-table tbody");
    tbody.replaceChildren(...out.endpoints.map((e) => el("tr", { "data-endpoint": e.endpoint },
      el("th", { scope: "row" }, el("strong", {}, e.endpoint), el("br"), el("code", {}, e.url)),
      el("td", { class: "num", "data-stat": "delivered" }, fmtInt(e.delivered)),
      el("td", { class: "num", "data-stat": "pending" }, fmtInt(e.pending)),
      el("td", { class: "num" + (e.failed ? " changed" : ""), "data-stat": "failed" },
        fmtInt(e.failed) + (e.dropped ? ` (${fmtInt(e.dropped)} dropped: queue full)` : "")),
      el("td", {}, e.last_success_at ? fmtTime(e.last_success_at) : "never"),
      el("td", { "data-stat": "last_error" }, e.last_error ? `${fmtTime(e.last_error_at)}: ${e.last_error}` : "none"))));
    if (!out.endpoints.length) {
      tbody.append(el("tr", {}, el("td", { colspan: "6" }, "No webhook endpoint is configured (promoedge serve --webhook NAME=URL).")));
    }
  });
}

function renderBundles(b) {
  const dl = $("#bundle-active");
  const act = b.active;
  const entries = act ? [["Active revision", act.revision], ["Activated", fmtTime(act.activated_at)],
    ["Source", act.source], ["Campaigns", act.campaigns === undefined ? "" : fmtInt(act.campaigns)]]
    : [["Active revision", "none: not serving"]];
  facts(dl, entries.map(([k, v]) => [k, v || "–"]));
  const refused = $("#bundle-refused");
  refused.hidden = !b.last_error;
  if (b.last_error) {
    refused.replaceChildren(el("p", {}, `Last bundle refused at ${fmtTime(b.last_error.at)} from ${b.last_error.source}:`),
      el("ul", {}, ...b.last_error.errors.map((e) => el("li", {}, e))));
  }
  $("#bundle-history tbody").replaceChildren(...(b.history || []).map((h) => el("tr", {},
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

// loader is a panel that draws what one GET answers, its error in errId.
function loader(path, errId, render) {
  return () => panelLoad(errId, false, async () => render(await getJSON(path)));
}
