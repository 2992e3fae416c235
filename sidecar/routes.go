package sidecar

// routeTable is every endpoint, in one place: admin ones name their
// action in the audit log, and guard adds the API token to /v1/.
func (s *Server) routeTable() []route {
	type h = map[string]handler
	return s.guard([]route{
		newRoute("/v1/evaluate", h{"POST": s.evaluate}),
		newRoute("/v1/campaigns", h{"GET": s.listCampaigns}),
		newRoute("/v1/campaigns/{id}", h{"GET": s.getCampaign}),
		newRoute("/v1/campaigns/{id}/codes", h{"POST": s.admin(actionCodes, s.generateCodes)}),
		newRoute("/v1/campaigns/{id}/disable", h{"POST": s.admin(actionDisable, s.disableCampaign)}),
		newRoute("/v1/campaigns/{id}/enable", h{"POST": s.admin(actionEnable, s.enableCampaign)}),
		newRoute("/v1/cluster", h{"GET": s.getCluster}),
		newRoute("/v1/cluster/keys", h{"POST": s.admin(actionKeys, s.reloadKeys)}),
		newRoute("/v1/codes/{code}", h{"GET": s.admin(actionCode, s.getCode)}),
		newRoute("/v1/codes/{code}/balance", h{"POST": s.admin(actionBalance, s.changeBalance)}),
		newRoute("/v1/redemptions", h{"POST": s.redeem, "GET": s.admin(actionLedger, s.listRedemptions)}),
		newRoute("/v1/redemptions/{id}/rollback", h{"POST": s.rollback}),
		newRoute("/v1/reservations", h{"POST": s.reserve}),
		newRoute("/v1/reservations/{id}", h{"GET": s.getReservation, "DELETE": s.releaseReservation}),
		newRoute("/v1/wallets/{customer}", h{"GET": s.getWallet}),
		newRoute("/v1/wallets/{customer}/transactions", h{"GET": s.listWalletTx}),
		newRoute("/v1/wallets/{customer}/rewards", h{"POST": s.claimReward}),
		newRoute("/v1/wallets/{customer}/adjust", h{"POST": s.admin(actionWalletAdjust, s.adjustWallet)}),
		newRoute("/v1/events", h{"POST": s.recordEvent}),
		newRoute("/v1/referrals", h{"POST": s.issueReferral}),
		newRoute("/v1/referrals/{code}", h{"GET": s.getReferral}),
		newRoute("/v1/events/{id}", h{"GET": s.admin(actionEvent, s.getEvent)}),
		newRoute("/v1/bundles", h{"GET": s.getBundles, "PUT": s.putBundles()}),
		newRoute("/v1/bundles/shadow", h{"GET": s.admin(unaudited, s.getShadow), "DELETE": s.admin(actionShadowDrop, s.deleteShadow)}),
		newRoute("/v1/bundles/shadow/promote", h{"POST": s.admin(actionShadowPromote, s.promoteShadow)}),
		newRoute("/v1/audit", h{"GET": s.admin(unaudited, s.getAudit)}),
		newRoute("/v1/backup", h{"GET": s.admin(actionBackup, s.backup)}),
		newRoute("/v1/webhooks", h{"GET": s.admin(unaudited, s.getWebhooks)}), // a status read, polled by the dashboard
		newRoute("/health", h{"GET": s.health}),
		newRoute("/ready", h{"GET": s.ready}),
		newRoute("/metrics", h{"GET": s.serveMetrics}),
		newRoute("/v1/openapi.yaml", h{"GET": s.openAPI}),
		newRoute("/v1/activity", h{"GET": s.getActivity}),
		newRoute("/v1/stats/campaigns", h{"GET": s.admin(unaudited, s.getCampaignStats)}),
		newRoute("/v1/stats/campaigns/{id}", h{"GET": s.admin(unaudited, s.getOneCampaignStats)}),
		newRoute("/v1/experiments/{campaign}", h{"GET": s.admin(unaudited, s.getExperiment)}),
		newRoute("/ui", h{"GET": s.uiIndex}),
		newRoute("/ui/{file}", h{"GET": s.uiFile}),
	})
}
