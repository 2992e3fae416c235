package cluster

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkReferralRedeem measures what a referral costs at checkout on a
// fleet of three real nodes: redeems of new friends presenting a
// referral code (each claimed from the two other nodes before its
// commit, and marked in the code log) against redeems of new customers
// without one, interleaved one for one on the same nodes. It reports the
// median latency of each and their ratio.
func BenchmarkReferralRedeem(b *testing.B) {
	f := referralFleet(b, 3)
	ref := f.aliceCode()
	var plain, referral []time.Duration
	n := 0
	for b.Loop() {
		n++
		tn := f.nodes[n%3]
		for _, code := range []string{"", ref.Code} {
			start := time.Now()
			got, err := f.redeemCode(tn, "refer", fmt.Sprintf("c-%d-%t", n, code != ""), code)
			d := time.Since(start)
			if err != nil || got != (code != "") {
				b.Fatalf("redeem %d (code %q): referred %v, %v", n, code, got, err)
			}
			if code == "" {
				plain = append(plain, d)
			} else {
				referral = append(referral, d)
			}
		}
	}
	median := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	p, r := median(plain), median(referral)
	b.ReportMetric(float64(p.Microseconds()), "plain-p50-µs")
	b.ReportMetric(float64(r.Microseconds()), "referral-p50-µs")
	b.ReportMetric(float64(r)/float64(p), "referral/plain")
}
