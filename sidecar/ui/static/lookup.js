// promoedge dashboard: the searches, run when asked — redemptions by
// customer, order or code (with a CSV download), a customer's wallet and
// its transactions, and a code or gift card.
"use strict";

const MAX_ROWS = 500; // rows a search shows; the CSV has them all

function searchQuery(format) {
  const field = $("#search-field").value;
  const value = $("#search-value").value.trim();
  const q = new URLSearchParams({ [field]: value, format });
  return { field, value, path: `redemptions?${q}` };
}

function redemptionRow(r) {
  const codes = r.campaigns.map((c) => c.code).filter(Boolean);
  return el("tr", { "data-redemption": r.redemption_id },
    el("td", {}, fmtTime(r.created_at)), el("td", {}, el("code", {}, r.order_id || "–")),
    el("td", {}, el("code", {}, r.customer_id || "anonymous")),
    el("td", {}, el("span", { class: `state state-${r.status === "redeemed" ? "enabled" : "disabled"}` }, r.status.replace("_", " "))),
    el("td", {}, r.campaigns.map((c) => c.campaign).join(", ")), el("td", {}, codes.join(", ") || "–"),
    el("td", { class: "num" }, fmtMoney(r.discount, r.currency)), el("td", { class: "num" }, fmtMoney(r.total, r.currency)),
    el("td", {}, el("code", {}, r.redemption_id)));
}

async function searchRedemptions(ev) {
  ev.preventDefault();
  const { field, value, path } = searchQuery("json");
  if (!value) return;
  if (!token()) {
    say("#search-status", "Enter the admin token above to search the ledger.", true);
    return;
  }
  say("#search-status", "Searching…", false);
  try {
    const out = await getJSON(path);
    const list = out.redemptions.reverse();
    $("#search-results tbody").replaceChildren(...list.slice(0, MAX_ROWS).map(redemptionRow));
    const more = list.length > MAX_ROWS ? ` (the newest ${MAX_ROWS} shown; the CSV has them all)` : "";
    say("#search-status", `${fmtInt(list.length)} redemption${list.length === 1 ? "" : "s"} with ${field} ${value}${more}.`, false);
  } catch (e) {
    say("#search-status", `Could not search: ${e.message}`, true);
  }
}

// downloadCSV fetches the ledger's CSV with the token (a link could not
// send it) and saves it from memory.
async function downloadCSV() {
  const { field, value, path } = searchQuery("csv");
  if (!value) {
    say("#search-status", "Enter what to find first.", true);
    $("#search-value").focus();
    return;
  }
  if (!token()) {
    say("#search-status", "Enter the admin token above to export the ledger.", true);
    return;
  }
  try {
    const resp = await fetch(API + path, { headers: headers({ Accept: "text/csv" }), cache: "no-store" });
    if (!resp.ok) {
      const body = await resp.json().catch(() => null);
      throw new APIError(resp.status, body, resp.statusText);
    }
    const blob = await resp.blob();
    const url = URL.createObjectURL(blob);
    const name = `redemptions-${field}-${value.replace(/[^A-Za-z0-9._-]+/g, "_")}.csv`;
    const a = el("a", { href: url, download: name, hidden: "" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say("#search-status", `Downloaded ${name} (${fmtInt(blob.size)} bytes).`, false);
  } catch (e) {
    say("#search-status", `Could not export: ${e.message}`, true);
  }
}

async function showWallet(ev) {
  ev.preventDefault();
  const customer = $("#wallet-customer").value.trim();
  if (!customer) return;
  const id = encodeURIComponent(customer);
  try {
    const [w, tx] = await Promise.all([getJSON(`wallets/${id}`), getJSON(`wallets/${id}/transactions`)]);
    facts($("#wallet-facts"), [["Customer", w.customer_id], ["Balance", `${fmtInt(w.balance)} points`],
      ["Pending", `${fmtInt(w.pending)} points`], ["Earned (tier window)", `${fmtInt(w.earned)} points`], ["Tier", w.tier],
      ["Next tier", w.next_tier ? `${w.next_tier.name}, ${fmtInt(w.next_tier.points_needed)} points to go` : ""],
      ["Expiring", (w.expiring || []).map((x) => `${fmtInt(x.points)} on ${fmtTime(x.at)}`).join("; ")]]);
    const list = [...tx.transactions].reverse();
    $("#wallet-transactions tbody").replaceChildren(...list.map((t) => el("tr", { "data-tx": t.id },
      el("td", {}, fmtTime(t.at)), el("td", {}, t.kind), el("td", { class: "num" }, `${t.points > 0 ? "+" : ""}${fmtInt(t.points)}`),
      el("td", { class: "num" }, fmtInt(t.balance)), el("td", {}, t.source))));
    if (!list.length) $("#wallet-transactions tbody").append(el("tr", {}, el("td", { colspan: "5" }, "No transactions.")));
    say("#wallet-status", `Wallet of ${customer}: ${fmtInt(w.balance)} points, ${fmtInt(list.length)} transactions.`, false);
  } catch (e) {
    $("#wallet-facts").replaceChildren();
    $("#wallet-transactions tbody").replaceChildren();
    say("#wallet-status", `Could not load the wallet of ${customer}: ${e.message}`, true);
  }
}

async function lookUpCode(ev) {
  ev.preventDefault();
  const code = $("#code-value").value.trim();
  if (!code) return;
  if (!token()) {
    say("#code-status", "Enter the admin token above to look codes up.", true);
    return;
  }
  try {
    const c = await getJSON(`codes/${encodeURIComponent(code)}`);
    const known = new Set(["code", "campaign", "state", "uses", "max_uses", "owner", "origin", "created_at", "balance", "currency",
      "expires_at", "transactions"]);
    const entries = [["Code", c.code], ["Campaign", c.campaign], ["State", c.state],
      ["Uses", c.max_uses ? `${fmtInt(c.uses)} of ${fmtInt(c.max_uses)}` : fmtInt(c.uses)], ["Owner", c.owner],
      ["Generated on node", c.origin], ["Created", fmtTime(c.created_at)]];
    if (c.balance !== undefined) entries.push(["Gift card balance", fmtMoney(c.balance, c.currency)]);
    if (c.expires_at) entries.push(["Card expires", fmtTime(c.expires_at)]);
    const txs = Array.isArray(c.transactions) ? [...c.transactions].reverse() : [];
    $("#card-transactions-box").hidden = !txs.length;
    $("#card-transactions tbody").replaceChildren(...txs.map((x) => el("tr", { "data-tx": x.id },
      el("td", {}, fmtTime(x.at)), el("td", {}, x.kind), el("td", { class: "num" }, fmtMoney(x.amount, c.currency)),
      el("td", { class: "num" }, fmtMoney(x.balance, c.currency)), el("td", {}, x.source))));
    // Whatever else the sidecar tells of it (a gift card's details), as it is.
    for (const [k, v] of Object.entries(c)) {
      if (!known.has(k) && (typeof v !== "object" || v === null)) entries.push([k.replace(/_/g, " "), v]);
    }
    facts($("#code-facts"), entries);
    say("#code-status", `${c.code}: ${c.state}, campaign ${c.campaign}.`, false);
  } catch (e) {
    $("#code-facts").replaceChildren();
    $("#card-transactions-box").hidden = true;
    say("#code-status", e.status === 404 ? `No code ${code}.` : `Could not look ${code} up: ${e.message}`, true);
  }
}

function setUpLookups() {
  $("#search-form").addEventListener("submit", searchRedemptions);
  $("#search-csv").addEventListener("click", downloadCSV);
  $("#wallet-form").addEventListener("submit", showWallet);
  $("#code-form").addEventListener("submit", lookUpCode);
}
