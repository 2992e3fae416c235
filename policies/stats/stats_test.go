package stats_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies/stats"
)

// sketchError adds n distinct customers, split over nodes sketches merged
// at the end as a fleet does, and returns the relative error.
func sketchError(n, nodes int) float64 {
	sk := make([]*stats.Sketch, nodes)
	for i := range sk {
		sk[i] = stats.NewSketch()
	}
	for i := range n {
		sk[i%nodes].Add(stats.Hash("customer-" + strconv.Itoa(i)))
	}
	for i := 1; i < nodes; i++ {
		sk[0].Merge(sk[i])
	}
	return math.Abs(sk[0].Estimate()-float64(n)) / float64(n)
}

// TestSketchErrorAcrossNodes: the fleet's distinct count stays within 2%
// (the sketch's standard error is 0.81%) from ten to a million customers
// (the million: 0.15 s, about 0.6 s under -race); BenchmarkSketchMillion
// times the million alone.
func TestSketchErrorAcrossNodes(t *testing.T) {
	for _, n := range []int{10, 1000, 50_000, 1_000_000} {
		start := time.Now()
		if e := sketchError(n, 3); e > 0.02 {
			t.Errorf("%d customers: error %.4f", n, e)
		} else {
			t.Logf("%d customers on 3 nodes: error %.4f%% in %v", n, 100*e, time.Since(start))
		}
	}
}

func BenchmarkSketchMillion(b *testing.B) {
	for b.Loop() {
		e := sketchError(1_000_000, 3)
		if e > 0.02 {
			b.Fatalf("error %.4f", e)
		}
		b.ReportMetric(100*e, "error%")
	}
}

func TestSketchMergeAndEncoding(t *testing.T) {
	a, b := stats.NewSketch(), stats.NewSketch()
	for i := range 5000 {
		a.Add(stats.Hash(fmt.Sprint(i)))
		b.Add(stats.Hash(fmt.Sprint(i + 2500)))
	}
	u := a.Clone()
	u.Merge(b)
	u.Merge(b) // merging again changes nothing
	if e := math.Abs(u.Estimate()-7500) / 7500; e > 0.03 {
		t.Fatalf("union of 7,500: %v", u.Estimate())
	}
	for _, sk := range []*stats.Sketch{stats.NewSketch(), a, u} {
		raw, err := json.Marshal(sk)
		if err != nil {
			t.Fatal(err)
		}
		var back stats.Sketch
		if err := json.Unmarshal(raw, &back); err != nil || back.Estimate() != sk.Estimate() {
			t.Fatalf("round trip: %v %v != %v", err, back.Estimate(), sk.Estimate())
		}
	}
	for _, bad := range []string{`""`, `"x"`, `"s!!"`, `"sAAA="`, `"dAAAA"`, `3`, `"s//8A"`} {
		var s stats.Sketch
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestCountsMergeIsGrowOnly(t *testing.T) {
	older := stats.Counts{Applied: 3, Redemptions: 1, Rejections: map[string]int64{"rule": 2}, Started: 10}
	newer := stats.Counts{Applied: 5, Redemptions: 1, RolledBack: 1, Rejections: map[string]int64{"rule": 4, "disabled": 1}, Started: 10}
	for _, order := range [][]stats.Counts{{older, newer}, {newer, older}, {newer, older, newer}} {
		var c stats.Counts
		for i := range order {
			c.Merge(&order[i])
		}
		if c.Applied != 5 || c.RolledBack != 1 || c.Rejections["rule"] != 4 || c.Rejections["disabled"] != 1 || c.Started != 10 {
			t.Fatalf("merge %v: %+v", order, c)
		}
	}
}

func TestSampleRatioAndCI(t *testing.T) {
	// A fair split: a high p-value; a skewed one of the same size: tiny.
	if p := stats.SampleRatioPValue([]int64{5020, 4980}, []float64{50, 50}); p < 0.5 {
		t.Errorf("fair split p = %v", p)
	}
	if p := stats.SampleRatioPValue([]int64{5300, 4700}, []float64{50, 50}); p >= stats.MismatchP {
		t.Errorf("skewed split p = %v", p)
	}
	// Known values: chi-square 3.841 with 1 df is p 0.05; 5.991 with 2 is 0.05.
	for _, c := range []struct {
		x    float64
		k    int
		want float64
	}{{3.841458820694124, 1, 0.05}, {5.991464547107979, 2, 0.05}, {0, 3, 1}, {20, 4, 0.000499}} {
		if got := stats.ChiSquareSurvival(c.x, c.k); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("Q(%v, %d) = %v, want %v", c.x, c.k, got, c.want)
		}
	}
	lo, hi, ok := stats.ConversionDiffCI(100, 1000, 150, 1000) // 10% vs 15%
	if !ok || math.Abs((lo+hi)/2-0.05) > 1e-12 || lo < 0.02 || lo > 0.025 || hi < 0.075 || hi > 0.08 {
		t.Errorf("CI %v %v %v", lo, hi, ok)
	}
	if _, _, ok := stats.ConversionDiffCI(0, 0, 1, 2); ok {
		t.Error("CI of an empty group")
	}
}

func TestDays(t *testing.T) {
	d := stats.DayOf(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC))
	if d.String() != "2026-12-04" || stats.DayOf(time.Date(2026, 12, 4, 23, 59, 59, 0, time.UTC)) != d ||
		stats.DayOf(time.Date(2026, 12, 5, 0, 30, 0, 0, time.FixedZone("CET", 3600))) != d || !d.Time().Equal(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("%v", d)
	}
	if stats.DayOf(time.Unix(-1, 0)) != -1 {
		t.Fatal("before 1970")
	}
}

// FuzzSketchJSON: a sketch a peer sends is outside input; reading it never
// panics, and what reads re-encodes to the same sketch.
func FuzzSketchJSON(f *testing.F) {
	sk := stats.NewSketch()
	sk.Add(stats.Hash("a"))
	raw, _ := json.Marshal(sk)
	f.Add(raw)
	f.Add([]byte(`"s"`))
	f.Add([]byte(`"d"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s stats.Sketch
		if json.Unmarshal(b, &s) != nil {
			return
		}
		again, err := json.Marshal(&s)
		if err != nil {
			t.Fatal(err)
		}
		var back stats.Sketch
		if err := json.Unmarshal(again, &back); err != nil || back.Estimate() != s.Estimate() {
			t.Fatalf("%s: %v", again, err)
		}
	})
}
