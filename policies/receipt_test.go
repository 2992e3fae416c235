package policies

import (
	"encoding/json"
	"testing"
)

// The stored answer of a redemption is what encoding/json makes of the
// id followed by the decision's fields.
func TestReceiptJSONMatchesEncodingJSON(t *testing.T) {
	dec := &Decision{Currency: "USD", BundleRevision: "r<1>&", Subtotal: 1000, Total: 900, Discount: 100,
		Applied:   []Applied{{Campaign: "c", Code: "C", Effect: AmountOff, Amount: 100, Lines: []LineAmount{{ID: "l1", Amount: 100}}}},
		FreeItems: []FreeItem{}, Points: []PointAward{{Campaign: "p", Points: 9}},
		Rejected: []Rejection{{Code: "X", Reason: CodeInvalid}}, Items: []ItemTotal{{ID: "l1", Subtotal: 1000, Discount: 100, Total: 900}}}
	want, err := json.Marshal(struct {
		RedemptionID string `json:"redemption_id"`
		*Decision
	}{"rd_00ff", dec})
	if err != nil {
		t.Fatal(err)
	}
	if got := receiptJSON("rd_00ff", dec); string(got) != string(want) {
		t.Fatalf("receipt\n got %s\nwant %s", got, want)
	}
}
