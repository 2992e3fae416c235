package guard

import (
	"bytes"
	"errors"
	"fmt"
)

// The function the instrumented module imports: () -> i32, 1 to stop.
const (
	Module = "promoedge"
	Func   = "tick"
	// Every is how many loop iterations pass between two ticks.
	Every = 1024
)

// ErrUnknown is wrapped when a module cannot be instrumented.
var ErrUnknown = errors.New("cannot instrument module")

// Section ids (core spec 5.5.2).
const (
	secCustom = 0
	secType   = 1
	secImport = 2
	secGlobal = 6
	secExport = 7
	secStart  = 8
	secElem   = 9
	secCode   = 10
)

// order is each section's place in a module; a section that is added goes
// before the first later one.
var order = map[byte]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13}

type section struct {
	id   byte
	body []byte
}

// module is what the rewrite needs to know.
type module struct {
	funcs   uint32 // imported functions: defined ones shift by one
	tick    uint32 // function index of the tick import
	counter uint32 // global index of the countdown
	tickTy  uint32 // type index of () -> i32
}

func (m *module) fn(idx uint32) uint32 {
	if idx >= m.funcs {
		return idx + 1
	}
	return idx
}

// Instrument returns bin with the tick import, the countdown global and a
// countdown at the top of every loop.
func Instrument(bin []byte) ([]byte, error) {
	if len(bin) < 8 || !bytes.Equal(bin[:8], []byte{0, 'a', 's', 'm', 1, 0, 0, 0}) {
		return nil, fmt.Errorf("%w: not a wasm 1.0 binary", ErrUnknown)
	}
	secs, err := sections(bin[8:])
	if err != nil {
		return nil, err
	}
	m, err := scan(secs)
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), bin[:8]...)
	added := map[byte]bool{}
	for _, s := range secs {
		for _, id := range []byte{secType, secImport, secGlobal} {
			if !has(secs, id) && !added[id] && s.id != secCustom && order[s.id] > order[id] {
				body, _ := m.rewrite(id, nil)
				out = appendSection(out, id, body)
				added[id] = true
			}
		}
		if s.id == secCustom && customName(s.body) == "name" {
			continue
		}
		body, err := m.rewrite(s.id, s.body)
		if err != nil {
			return nil, err
		}
		out = appendSection(out, s.id, body)
	}
	for _, id := range []byte{secType, secImport, secGlobal} {
		if !has(secs, id) && !added[id] {
			body, _ := m.rewrite(id, nil)
			out = appendSection(out, id, body)
		}
	}
	return out, nil
}

// scan counts types, imported functions and globals.
func scan(secs []section) (*module, error) {
	m := &module{}
	var globals uint32
	for _, s := range secs {
		r := reader{b: s.body}
		switch s.id {
		case secType:
			m.tickTy = r.u32()
		case secImport:
			var err error
			var ig uint32
			if m.funcs, ig, err = imports(s.body); err != nil {
				return nil, err
			}
			globals += ig
		case secGlobal:
			globals += r.u32()
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	m.tick, m.counter = m.funcs, globals
	return m, nil
}

func (m *module) rewrite(id byte, body []byte) ([]byte, error) {
	switch id {
	case secType:
		return appendTo(body, []byte{0x60, 0x00, 0x01, 0x7F}), nil // () -> i32
	case secImport:
		imp := appendName(nil, Module)
		imp = appendName(imp, Func)
		imp = append(imp, 0x00)
		return appendTo(body, appendU32(imp, m.tickTy)), nil
	case secGlobal:
		g, err := m.globals(body)
		if err != nil {
			return nil, err
		}
		return appendTo(g, []byte{0x7F, 0x01, 0x41, 0x80, 0x08, 0x0B}), nil // mut i32 = 1024
	case secExport:
		return m.exports(body)
	case secStart:
		r := reader{b: body}
		return appendU32(nil, m.fn(r.u32())), r.err
	case secElem:
		return m.elems(body)
	case secCode:
		return m.code(body)
	}
	return body, nil
}

func has(secs []section, id byte) bool {
	for _, s := range secs {
		if s.id == id {
			return true
		}
	}
	return false
}

func customName(body []byte) string {
	r := reader{b: body}
	return string(r.bytes(int(r.u32())))
}

func sections(b []byte) ([]section, error) {
	r := reader{b: b}
	var out []section
	for r.i < len(r.b) && r.err == nil {
		id := r.byte()
		n := r.u32()
		out = append(out, section{id: id, body: r.bytes(int(n))})
	}
	return out, r.err
}

func appendSection(out []byte, id byte, body []byte) []byte {
	out = append(out, id)
	out = appendU32(out, uint32(len(body)))
	return append(out, body...)
}

// appendTo adds one entry to a vector section (nil: a new section).
func appendTo(body, entry []byte) []byte {
	var n uint32
	var rest []byte
	if body != nil {
		r := reader{b: body}
		n = r.u32()
		rest = body[r.i:]
	}
	out := appendU32(nil, n+1)
	out = append(out, rest...)
	return append(out, entry...)
}

func appendName(b []byte, s string) []byte {
	return append(appendU32(b, uint32(len(s))), s...)
}

// imports counts imported functions and globals; a module that imports
// from Module already cannot be instrumented.
func imports(body []byte) (funcs, globals uint32, err error) {
	r := reader{b: body}
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		mod := string(r.bytes(int(r.u32())))
		r.bytes(int(r.u32()))
		if mod == Module {
			return 0, 0, fmt.Errorf("%w: it imports from %q", ErrUnknown, Module)
		}
		switch kind := r.byte(); kind {
		case 0x00:
			r.u32()
			funcs++
		case 0x01:
			r.byte()
			r.limits()
		case 0x02:
			r.limits()
		case 0x03:
			r.byte()
			r.byte()
			globals++
		default:
			return 0, 0, fmt.Errorf("%w: import kind %d", ErrUnknown, kind)
		}
	}
	return funcs, globals, r.err
}
