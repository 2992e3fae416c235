package policies

import (
	"encoding/json"
	"time"
)

// Notice is one thing that happened which the webhooks report (SPEC §13):
// written to the store's outbox in the same commit as the change it
// reports, and delivered to every endpoint at least once.
type Notice struct {
	// ID is stable across delivery attempts: the webhook-id header, and
	// what a receiver deduplicates on. Producers derive it from what they
	// report (a redemption's id and the type, a trigger's firing), so that
	// writing the same change twice cannot report it twice.
	ID   string          `json:"id"`
	Type NoticeType      `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// NoticeType names what a notice reports.
type NoticeType string

// The notice types of SPEC §13.
const (
	NoticeRedemptionCreated    NoticeType = "redemption.created"
	NoticeRedemptionRolledBack NoticeType = "redemption.rolled_back"
	NoticeLimitExhausted       NoticeType = "campaign.limit_exhausted"
	NoticeTriggerFired         NoticeType = "trigger.fired"
	NoticeTierChanged          NoticeType = "wallet.tier_changed"
)
