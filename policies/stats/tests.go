package stats

import "math"

// MismatchP is the p-value under which a split flags a sample ratio
// mismatch (SPEC §11).
const MismatchP = 0.001

// SampleRatioPValue is the p-value of Pearson's chi-square test of the
// observed counts against the shares weights give them: the chance of a
// split at least this far from the weights if assignment follows them.
// 1 when nothing was counted.
func SampleRatioPValue(observed []int64, weights []float64) float64 {
	var n, w float64
	for i := range observed {
		n += float64(observed[i])
		w += weights[i]
	}
	if n == 0 || w == 0 || len(observed) < 2 {
		return 1
	}
	chi := 0.0
	for i := range observed {
		exp := n * weights[i] / w
		if exp == 0 {
			continue
		}
		d := float64(observed[i]) - exp
		chi += d * d / exp
	}
	return ChiSquareSurvival(chi, len(observed)-1)
}

// ChiSquareSurvival is P(X ≥ x) for X chi-square with k degrees of
// freedom: the regularized upper incomplete gamma Q(k/2, x/2).
func ChiSquareSurvival(x float64, k int) float64 {
	if x <= 0 {
		return 1
	}
	return gammaQ(float64(k)/2, x/2)
}

// gammaQ is the regularized upper incomplete gamma function, by its
// series below a+1 and its continued fraction above (Numerical Recipes,
// §6.2).
func gammaQ(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 1000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-15 {
				break
			}
		}
		return 1 - sum*math.Exp(-x+a*math.Log(x)-lg)
	}
	const tiny = 1e-300
	b := x + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for i := 1; i < 1000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lg) * h
}

// z95 is the standard normal's 97.5th percentile.
const z95 = 1.959963984540054

// ConversionDiffCI is the 95% confidence interval of p2 − p1, the
// difference of two conversions x/n, by the normal approximation
// (Wald, unpooled). ok is false while either group is empty.
func ConversionDiffCI(x1, n1, x2, n2 int64) (lo, hi float64, ok bool) {
	if n1 <= 0 || n2 <= 0 {
		return 0, 0, false
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	se := math.Sqrt(p1*(1-p1)/float64(n1) + p2*(1-p2)/float64(n2))
	d := p2 - p1
	return d - z95*se, d + z95*se, true
}
