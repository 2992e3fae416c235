package stats

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/bits"
)

// Precision is the sketch's p: 2^14 registers of one byte, a standard
// error of 1.04/sqrt(2^14) ≈ 0.81% (RATIONALE.md, "Why HyperLogLog…").
const Precision = 14

const registers = 1 << Precision

// Sketch is a HyperLogLog sketch of a set of 64-bit hashes: it estimates
// how many distinct hashes were added, and two sketches merge (register
// by register, max) into the sketch of the union, in any order. Not safe
// for concurrent use.
type Sketch struct {
	reg []byte
}

// NewSketch is an empty sketch.
func NewSketch() *Sketch { return &Sketch{reg: make([]byte, registers)} }

// Add adds a hash (a well-mixed one: see Hash).
func (s *Sketch) Add(h uint64) {
	i := h >> (64 - Precision)
	rank := byte(bits.LeadingZeros64(h<<Precision|1<<(Precision-1)) + 1)
	if rank > s.reg[i] {
		s.reg[i] = rank
	}
}

// Merge makes s the sketch of the union of s and o.
func (s *Sketch) Merge(o *Sketch) {
	for i, r := range o.reg {
		if r > s.reg[i] {
			s.reg[i] = r
		}
	}
}

// Clone is a copy of s.
func (s *Sketch) Clone() *Sketch {
	return &Sketch{reg: append([]byte(nil), s.reg...)}
}

// Estimate is the estimated number of distinct hashes added: the
// harmonic-mean estimator, with linear counting while registers are
// still empty (Flajolet et al. 2007; Heule et al. 2013 for 64-bit
// hashes, which need no large-range correction).
func (s *Sketch) Estimate() float64 {
	const m = float64(registers)
	sum, zeros := 0.0, 0
	for _, r := range s.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		return m * math.Log(m/float64(zeros))
	}
	return e
}

// MarshalJSON writes the registers, base64: sparse (index, rank pairs)
// while few are set, dense otherwise.
func (s *Sketch) MarshalJSON() ([]byte, error) {
	var set []byte
	for i, r := range s.reg {
		if r != 0 {
			set = append(set, byte(i>>8), byte(i), r)
		}
	}
	if len(set) < registers {
		return json.Marshal("s" + base64.StdEncoding.EncodeToString(set))
	}
	return json.Marshal("d" + base64.StdEncoding.EncodeToString(s.reg))
}

var errSketch = errors.New("stats: a malformed sketch")

// UnmarshalJSON reads what MarshalJSON wrote.
func (s *Sketch) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil || str == "" {
		return errSketch
	}
	raw, err := base64.StdEncoding.DecodeString(str[1:])
	if err != nil {
		return errSketch
	}
	s.reg = make([]byte, registers)
	switch str[0] {
	case 'd':
		if len(raw) != registers {
			return errSketch
		}
		copy(s.reg, raw)
	case 's':
		if len(raw)%3 != 0 {
			return errSketch
		}
		for i := 0; i < len(raw); i += 3 {
			idx := int(raw[i])<<8 | int(raw[i+1])
			if idx >= registers || raw[i+2] > 64-Precision+1 {
				return errSketch
			}
			s.reg[idx] = raw[i+2]
		}
	default:
		return errSketch
	}
	return nil
}

// Hash is the 64-bit hash of parts joined (FNV-1a, then the splitmix64
// finalizer so every bit is mixed): the same on every node and every
// run, with no allocation.
func Hash(parts ...string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i, p := range parts {
		if i > 0 {
			h *= prime // a separator (a zero byte): ("a","bc") differs from ("ab","c")
		}
		for j := 0; j < len(p); j++ {
			h = (h ^ uint64(p[j])) * prime
		}
	}
	return mix(h)
}

// mix is splitmix64's finalizer.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
