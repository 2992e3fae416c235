// promoedge dashboard: starts the page — the panels refreshed, in order,
// and the forms' handlers.
"use strict";

// What every refresh reloads; experiments are found in the campaigns.
registerPanel(async () => { await loadCampaigns(); await loadExperiments(); });
registerPanel(loadStats);
registerPanel(loadAudit);
registerPanel(loadWebhooks);
registerPanel(loadBundlesAndShadow);
registerPanel(loader("cluster", "#cluster-error", renderCluster));

function start() {
  for (const s of document.querySelectorAll(".days")) s.textContent = String(DAYS);
  const saved = savedToken();
  if (saved) tokenInput().value = saved;
  $("#token-form").addEventListener("submit", (e) => { e.preventDefault(); token(); refresh(); });
  tokenInput().addEventListener("change", () => { token(); refresh(); });
  $("#token-clear").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    tokenInput().value = "";
    say("#switch-result", "Admin token forgotten.", false);
  });
  setUpConfirm();
  setUpStats();
  setUpShadow();
  setUpLookups();
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
}

start();
