package policies

import (
	"encoding/json"
	"testing"
)

func TestAppendJSONIsEncodingJSON(t *testing.T) {
	for _, d := range []*Decision{
		{},
		{Currency: "USD", Applied: []Applied{}, FreeItems: []FreeItem{}, Points: []PointAward{}, Rejected: []Rejection{}, Items: []ItemTotal{}},
		sampleDecision("c-1", "SUMMER20", "a reason", 599),
		sampleDecision(`quo"te\back<>&`, "é\u2028\x01\xff", "tab\there\n", -5),
	} {
		checkJSON(t, d)
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("c-1", "CODE", "detail", int64(10))
	f.Add("<script>", "\u2029", "\xff\xfe", int64(-1))
	f.Fuzz(func(t *testing.T, id, code, detail string, n int64) {
		checkJSON(t, sampleDecision(id, code, detail, n))
	})
}

func sampleDecision(id, code, detail string, n int64) *Decision {
	return &Decision{
		Currency: "USD", BundleRevision: id, Subtotal: n, Shipping: 599, Discount: n / 2, ShippingDiscount: 0, Total: -n,
		Applied: []Applied{
			{Campaign: id, Code: code, Effect: PercentOff, Amount: n, Lines: []LineAmount{{ID: id, Amount: n}, {ID: "l2", Amount: 0}}},
			{Campaign: id, Effect: FreeShipping, Amount: 599, ReducedFrom: n, Lines: []LineAmount{}},
		},
		FreeItems: []FreeItem{{SKU: code, Quantity: n, Campaign: id}},
		Points:    nil,
		Rejected: []Rejection{
			{Code: code, Reason: CodeInvalid},
			{Campaign: id, Reason: RuleFailed, Details: []string{detail, ""}},
			{Campaign: id, Code: code, Reason: ExcludedByStacker, Details: []string{}},
		},
		Items: []ItemTotal{{ID: id, Subtotal: n, Discount: 1, Total: n - 1}},
	}
}

func checkJSON(t *testing.T, d *Decision) {
	t.Helper()
	want, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.AppendJSON(nil); string(got) != string(want) {
		t.Fatalf("AppendJSON:\n%s\nencoding/json:\n%s", got, want)
	}
}
