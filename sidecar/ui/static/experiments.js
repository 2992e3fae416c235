// promoedge dashboard: the experiments — every campaign with variants,
// each variant's counts, the confidence interval of its conversion less
// the first variant's, and the sample ratio mismatch warning.
"use strict";

const MISMATCH_P = 0.001;

function ciText(ci) {
  if (!ci) return "–";
  const pts = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(100 * v).toFixed(1)}`;
  return `${pts(ci[0])} to ${pts(ci[1])} points`;
}

function experimentCard(c, x) {
  const id = `experiment-${c.id}`;
  const card = el("article", { class: "experiment", id, "data-experiment": c.id, "aria-labelledby": `${id}-title` });
  card.append(el("h3", { id: `${id}-title` }, `${c.name || c.id} `, el("code", {}, c.id)));
  const p = x.sample_ratio_p_value;
  const mismatch = x.sample_ratio_mismatch || (typeof p === "number" && p < MISMATCH_P);
  card.append(el("p", { class: "help" },
    x.phase_started_at ? `Phase started ${fmtTime(x.phase_started_at)}. ` : "Nothing counted in this phase yet. ",
    `Sample ratio p-value ${typeof p === "number" ? p.toPrecision(3) : "–"}`,
    x.customers_exact === false ? " · customers are estimates (±0.8%)" : ""));
  if (mismatch) {
    card.append(el("p", { class: "warning", role: "alert", "data-warning": "sample-ratio" },
      `Sample ratio mismatch (p = ${p.toPrecision(3)} < ${MISMATCH_P}): customers are not split as the weights say. ` +
      "Check how customers are identified before trusting these results."));
  }
  const c0 = campaignById(c.id);
  const currency = currencyOf(c0);
  const cis = x.variants.filter((v) => v.conversion_diff_ci).flatMap((v) => v.conversion_diff_ci.map(Math.abs));
  const span = Math.max(0.01, ...cis) * 1.1;
  const table = el("table", { class: "variants" },
    el("caption", {}, `Variants of ${c.id}; the interval is the 95% confidence interval of the variant's conversion less ${x.variants.length ? x.variants[0].name : "the first"}'s`),
    el("thead", {}, el("tr", {}, ...["Variant", "Weight", "Customers", "Exposures", "Redemptions", "Conversion", "Discount", "Revenue", "Average order", "Difference in conversion"]
      .map((h, i) => el("th", { scope: "col", class: i > 0 && i < 9 ? "num" : "" }, h)))),
    el("tbody", {}, ...x.variants.map((v, i) => el("tr", { "data-variant": v.name },
      el("th", { scope: "row" }, v.name, v.holdout ? el("span", { class: "help" }, " (holdout)") : "", i === 0 ? el("span", { class: "help" }, " (baseline)") : ""),
      el("td", { class: "num" }, `${fmtInt(v.weight)}%`), el("td", { class: "num" }, fmtInt(v.customers)),
      el("td", { class: "num" }, fmtInt(v.exposures)), el("td", { class: "num" }, fmtInt(v.redemptions)),
      el("td", { class: "num", "data-conversion": v.conversion }, fmtPct(v.conversion || 0)),
      el("td", { class: "num" }, fmtMoney(v.discount, currency)), el("td", { class: "num" }, fmtMoney(v.revenue, currency)),
      el("td", { class: "num" }, fmtMoney(v.average_order, currency)),
      el("td", { "data-ci": v.conversion_diff_ci ? v.conversion_diff_ci.join(",") : "" },
        v.conversion_diff_ci ? ciBar(v.conversion_diff_ci[0], v.conversion_diff_ci[1], span) : "",
        " ", ciText(v.conversion_diff_ci))))));
  card.append(el("div", { class: "scroll" }, table));
  return card;
}

async function loadExperiments() {
  const list = (view.campaigns || []).filter((c) => c.variants && c.variants.length);
  const root = $("#experiments-list");
  if (!list.length) {
    root.replaceChildren(el("p", { class: "help" }, "No campaign of the active bundle has variants."));
    showError("#experiments-error", null);
    return;
  }
  await panelLoad("#experiments-error", true, async () => {
    const got = await Promise.all(list.map((c) => getJSON(`experiments/${encodeURIComponent(c.id)}`)));
    root.replaceChildren(...list.map((c, i) => experimentCard(c, got[i])));
  });
}
