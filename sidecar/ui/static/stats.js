// promoedge dashboard: the statistics of the last 30 days — the headline
// totals and one campaign's days as charts and a table.
"use strict";

// byCurrency sums a money field of every campaign's total per currency of
// the campaign ("" for none).
function byCurrency(field) {
  const out = new Map();
  for (const s of view.stats.campaigns) {
    const c = campaignById(s.campaign);
    const cur = currencyOf(c);
    out.set(cur, (out.get(cur) || 0) + s.total[field]);
  }
  return out;
}

function moneyText(sums) {
  const parts = [...sums.entries()].filter(([, v]) => v !== 0).map(([cur, v]) => fmtMoney(v, cur));
  return parts.length ? parts.join(" + ") : fmtMoney(0, [...sums.keys()][0] || "");
}

function renderOverview() {
  const st = view.stats;
  $("#stats-range").textContent = `${st.from} to ${st.to}`;
  const sum = (f) => st.campaigns.reduce((n, c) => n + c.total[f], 0);
  const rejected = st.campaigns.reduce((n, c) => n + Object.values(c.total.rejections || {}).reduce((a, b) => a + b, 0), 0);
  // Sums over campaigns: right for the discount (each campaign's own),
  // counted once per campaign for the rest — so no revenue here, which
  // would count an order once for each of its campaigns.
  const totals = [
    ["discount", "Discount given", moneyText(byCurrency("discount"))],
    ["applied", "Campaigns applied in carts priced", fmtInt(sum("applied"))],
    ["redemptions", "Campaigns redeemed in orders", fmtInt(sum("redemptions"))],
    ["rolled_back", "Rolled back", fmtInt(sum("rolled_back"))],
    ["rejections", "Campaigns rejected", fmtInt(rejected)],
  ];
  $("#overview-totals").replaceChildren(...totals.map(([key, label, v]) =>
    el("div", { "data-total": key }, el("dt", {}, label), el("dd", {}, v))));
}

// detailChoice is the campaign the charts show: the one chosen, or else
// the one with the most redemptions.
function detailChoice() {
  const sel = $("#detail-campaign");
  const ids = view.stats.campaigns.map((c) => c.campaign);
  if (sel.value && ids.includes(sel.value)) return sel.value;
  const top = [...view.stats.campaigns].sort((a, b) => b.total.redemptions - a.total.redemptions || b.total.applied - a.total.applied)[0];
  return top ? top.campaign : "";
}

function renderDetailOptions(chosen) {
  const sel = $("#detail-campaign");
  const ids = view.stats.campaigns.map((c) => c.campaign);
  if ([...sel.options].map((o) => o.value).join() !== ids.join()) {
    sel.replaceChildren(...view.stats.campaigns.map((c) => el("option", { value: c.campaign }, `${c.name || c.campaign} (${c.campaign})`)));
  }
  sel.value = chosen;
}

function renderDetail() {
  const id = detailChoice();
  renderDetailOptions(id);
  const st = statsOf(id);
  if (!st) return;
  const c = campaignById(id);
  const currency = currencyOf(c);
  const totals = drawActivity($("#chart-activity"), st.days);
  legend($("#legend-activity"), [["applied", "applied", fmtInt(totals.applied)], ["redemptions", "redemptions", fmtInt(totals.redemptions)]]);
  drawMoney($("#chart-money"), st.days, currency);
  legend($("#legend-money"), [["revenue", "revenue", fmtMoney(st.total.revenue, currency)], ["discount", "discount given", fmtMoney(st.total.discount, currency)]]);
  const reasons = drawRejections($("#chart-rejections"), st.days);
  legend($("#legend-rejections"), reasons.length ? reasons.map(([r, n]) => [r, r, fmtInt(n)]) : [["other", "no rejections", "0"]]);
  for (const f of ["activity", "money", "rejections"]) $(`#chart-${f}`).dataset.campaign = id;
  const tbody = $("#detail-table tbody");
  const active = [...st.days].reverse().filter((d) => d.applied || d.redemptions || d.rolled_back || Object.keys(d.rejections || {}).length);
  tbody.replaceChildren(...active.map((d) => el("tr", {},
    el("th", { scope: "row" }, d.date), el("td", { class: "num" }, fmtInt(d.applied)), el("td", { class: "num" }, fmtInt(d.redemptions)),
    el("td", { class: "num" }, fmtMoney(d.discount, currency)), el("td", { class: "num" }, fmtMoney(d.revenue, currency)),
    el("td", { class: "num" }, fmtMoney(d.budget_used, currency)), el("td", { class: "num" }, fmtInt(d.limit_used)),
    el("td", {}, Object.entries(d.rejections || {}).map(([r, n]) => `${r} ${fmtInt(n)}`).join(", ") || "0"))));
  if (!active.length) tbody.append(el("tr", {}, el("td", { colspan: "8" }, `Nothing counted in the last ${st.days.length} days.`)));
}

function loadStats() {
  return panelLoad("#stats-error", true, async () => {
    view.stats = await getJSON(`stats/campaigns?days=${DAYS}`);
    renderOverview();
    renderCampaignTable();
    renderDetail();
  });
}

function setUpStats() {
  $("#detail-campaign").addEventListener("change", () => { if (view.stats) renderDetail(); });
  $("#detail-form").addEventListener("submit", (e) => e.preventDefault());
}
