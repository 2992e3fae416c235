package activity

import (
	"fmt"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

// BenchmarkEvaluated is the recorder's cost per priced cart, for a cart
// with 3 applied effects and n rejections (most of a big bundle's
// campaigns are rejected by their rule), on all cores at once.
func BenchmarkEvaluated(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("rejected-%d", n), func(b *testing.B) {
			rej := make([]policies.Reason, n)
			for i := range rej {
				rej[i] = policies.Reasons[i%len(policies.Reasons)]
			}
			d := decision([]string{"a", "a", "b"}, rej)
			r := New(Config{})
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r.Evaluated(d)
				}
			})
		})
	}
}

func BenchmarkRedeemed(b *testing.B) {
	r := New(Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Redeemed()
		}
	})
}
