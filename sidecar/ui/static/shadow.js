// promoedge dashboard: the shadow bundle — what a candidate bundle prices
// differently from the active one, and loading, dropping or promoting it
// (each asks for confirmation but the load).
"use strict";

function sideText(s, currency) {
  return `${fmtMoney(s.discount + s.shipping_discount, currency)} off, total ${fmtMoney(s.total, currency)}: ` +
    `${s.applied.join(", ") || "nothing applied"}`;
}

// shadowRevision is the revision the promote and drop buttons act on.
let shadowRevision = "";

function renderShadow(rep) {
  const body = $("#shadow-body");
  // The buttons stay in the page (a refresh must not detach a button
  // being clicked); they show and name the shadow loaded.
  $("#shadow-actions").hidden = !rep;
  shadowRevision = rep ? rep.revision : "";
  $("#shadow-promote").textContent = rep ? `Promote ${rep.revision}` : "Promote";
  if (!rep) {
    body.replaceChildren(el("p", { class: "help", "data-shadow": "none" }, "No shadow bundle is loaded."));
    return;
  }
  const share = rep.compared ? ` (${fmtPct(rep.differ / rep.compared)})` : "";
  const dl = facts(el("dl", { class: "facts" }), [["Revision", rep.revision], ["Loaded", fmtTime(rep.since)],
    ["Compared", fmtInt(rep.compared)], ["Priced differently", fmtInt(rep.differ) + share],
    ["Discount delta (shadow − live)", fmtMoney(rep.discount_delta, currencyOf(null))],
    ["Dropped (queue full)", fmtInt(rep.dropped)], ["Could not price", fmtInt(rep.errors)]]);
  const changed = rep.campaigns.filter((c) => c.applied_live !== c.applied_shadow);
  const camps = el("table", { id: "shadow-campaigns" },
    el("caption", {}, "Per campaign: in how many compared carts it applied on each side (campaigns that differ first)"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Campaign"), el("th", { scope: "col", class: "num" }, "Applied live"),
      el("th", { scope: "col", class: "num" }, "Applied on the shadow"), el("th", { scope: "col", class: "num" }, "Difference"))),
    el("tbody", {}, ...[...changed, ...rep.campaigns.filter((c) => c.applied_live === c.applied_shadow)].map((c) =>
      el("tr", { "data-campaign": c.campaign }, el("th", { scope: "row" }, el("code", {}, c.campaign)),
        el("td", { class: "num" }, fmtInt(c.applied_live)), el("td", { class: "num" }, fmtInt(c.applied_shadow)),
        el("td", { class: "num" + (c.applied_live !== c.applied_shadow ? " changed" : "") },
          `${c.applied_shadow - c.applied_live >= 0 ? "+" : "−"}${fmtInt(Math.abs(c.applied_shadow - c.applied_live))}`)))));
  const samples = el("table", { id: "shadow-samples" },
    el("caption", {}, "Some carts priced differently (a uniform sample); customers as a keyed hash"),
    el("thead", {}, el("tr", {}, ...["At", "Customer", "Live", "Shadow"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rep.samples.map((s) => el("tr", {}, el("td", {}, fmtTime(s.at)),
      el("td", {}, el("code", {}, s.customer_hash || "anonymous")), el("td", {}, sideText(s.live, s.currency)), el("td", {}, sideText(s.shadow, s.currency))))));
  if (!rep.samples.length) samples.tBodies[0].append(el("tr", {}, el("td", { colspan: "4" }, "No cart priced differently yet.")));
  body.replaceChildren(dl, el("div", { class: "scroll" }, camps), el("div", { class: "scroll" }, samples));
}

async function shadowAction(what, revision) {
  if (!token()) {
    say("#shadow-result", "Enter the admin token above first.", true);
    return;
  }
  const ok = await confirmAction(what === "promote" ? {
    title: `Promote shadow bundle ${revision}?`,
    message: `Bundle ${revision} becomes the active bundle: every cart is priced with it from now on. The comparison stops.`,
    confirmLabel: `Promote ${revision}`,
  } : {
    title: `Drop shadow bundle ${revision}?`,
    message: `The comparison stops and its counts are forgotten. The active bundle does not change.`,
    confirmLabel: "Drop the shadow",
  });
  if (!ok) {
    say("#shadow-result", `Shadow bundle ${revision} was not changed.`, false);
    return;
  }
  try {
    if (what === "promote") {
      const out = await call("POST", "bundles/shadow/promote");
      say("#shadow-result", `Bundle ${out.active.revision} is active.`, false);
    } else {
      await call("DELETE", "bundles/shadow");
      say("#shadow-result", `Shadow bundle ${revision} dropped.`, false);
    }
    refresh();
  } catch (e) {
    say("#shadow-result", `${e.message}; nothing changed.`, true);
  }
}

async function loadShadowFile(ev) {
  ev.preventDefault();
  const file = $("#shadow-file").files[0];
  if (!file) {
    say("#shadow-result", "Choose a bundle file (.tar.gz) first.", true);
    return;
  }
  if (!token()) {
    say("#shadow-result", "Enter the admin token above first.", true);
    return;
  }
  try {
    const rep = await call("PUT", "bundles?shadow=true", file, "application/gzip");
    say("#shadow-result", `Shadow bundle ${rep.revision} loaded: every cart priced from now on is priced on it too.`, false);
    renderShadow(rep);
  } catch (e) {
    const why = e.details && e.details.length ? ` (${e.details.join("; ")})` : "";
    say("#shadow-result", `Refused: ${e.message}${why}; nothing changed.`, true);
  }
}

function loadShadow() {
  return panelLoad("#shadow-error", true, async () => {
    let report = null; // none: dropped or promoted since the bundles were read
    try {
      report = await getJSON("bundles/shadow");
    } catch (e) {
      if (e.status !== 404) throw e;
    }
    renderShadow(report);
  });
}

// loadBundlesAndShadow draws the bundle status and, when it names a
// shadow bundle, the shadow's report (asked only then: no 404 to log).
async function loadBundlesAndShadow() {
  let b;
  await panelLoad("#bundles-error", false, async () => {
    b = await getJSON("bundles");
    renderBundles(b);
  });
  if (!b.shadow) {
    renderShadow(null);
    showError("#shadow-error", null);
    return;
  }
  await loadShadow();
}

function setUpShadow() {
  $("#shadow-form").addEventListener("submit", loadShadowFile);
  $("#shadow-promote").addEventListener("click", () => shadowAction("promote", shadowRevision));
  $("#shadow-drop").addEventListener("click", () => shadowAction("drop", shadowRevision));
}
