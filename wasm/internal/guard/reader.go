package guard

import "fmt"

// reader reads a wasm binary; the first error sticks.
type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("%w: truncated at byte %d", ErrUnknown, r.i)
	}
	r.i = len(r.b)
}

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		r.fail()
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || r.i+n > len(r.b) {
		r.fail()
		return nil
	}
	r.i += n
	return r.b[r.i-n : r.i]
}

// leb skips a LEB128 number of any width.
func (r *reader) leb() {
	for range 10 {
		if r.byte()&0x80 == 0 {
			return
		}
	}
	r.fail()
}

func (r *reader) u32() uint32 {
	var v uint32
	for shift := 0; shift < 35; shift += 7 {
		b := r.byte()
		v |= uint32(b&0x7F) << shift
		if b&0x80 == 0 {
			return v
		}
	}
	r.fail()
	return 0
}

// memarg skips align (with the multi-memory bit 6: a memory index follows)
// and offset.
func (r *reader) memarg() {
	if align := r.u32(); align&0x40 != 0 {
		r.leb()
	}
	r.leb()
}

// limits skips a table or memory type's limits.
func (r *reader) limits() {
	flags := r.byte()
	r.leb()
	if flags&0x01 != 0 {
		r.leb()
	}
}

func appendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
