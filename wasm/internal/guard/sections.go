package guard

import "fmt"

// globals copies a global section with function references shifted.
func (m *module) globals(body []byte) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	r := reader{b: body}
	n := r.u32()
	out := appendU32(nil, n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		out = append(out, r.bytes(2)...) // valtype, mut
		var err error
		if out, err = m.expr(&r, out); err != nil {
			return nil, err
		}
	}
	return out, r.err
}

func (m *module) exports(body []byte) ([]byte, error) {
	r := reader{b: body}
	n := r.u32()
	out := appendU32(nil, n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		out = appendName(out, string(r.bytes(int(r.u32()))))
		kind := r.byte()
		idx := r.u32()
		if kind == 0x00 {
			idx = m.fn(idx)
		}
		out = appendU32(append(out, kind), idx)
	}
	return out, r.err
}

// elems copies an element section with function indices shifted.
func (m *module) elems(body []byte) ([]byte, error) {
	r := reader{b: body}
	n := r.u32()
	out := appendU32(nil, n)
	var err error
	for i := uint32(0); i < n && r.err == nil; i++ {
		flags := r.u32()
		out = appendU32(out, flags)
		if flags > 7 {
			return nil, fmt.Errorf("%w: element segment flags %d", ErrUnknown, flags)
		}
		if flags&2 != 0 && flags&1 == 0 { // explicit table index
			out = appendU32(out, r.u32())
		}
		if flags&1 == 0 { // active: offset expression
			if out, err = m.expr(&r, out); err != nil {
				return nil, err
			}
		}
		if flags&3 != 0 { // elemkind or reftype
			out = append(out, r.byte())
		}
		count := r.u32()
		out = appendU32(out, count)
		for i := uint32(0); i < count && r.err == nil; i++ {
			if flags&4 == 0 {
				out = appendU32(out, m.fn(r.u32()))
			} else if out, err = m.expr(&r, out); err != nil {
				return nil, err
			}
		}
	}
	return out, r.err
}

// expr copies a constant expression up to its end.
func (m *module) expr(r *reader, out []byte) ([]byte, error) {
	for r.err == nil {
		op := r.byte()
		if op == 0x0B {
			return append(out, op), nil
		}
		var err error
		if out, err = m.instr(r, op, out); err != nil {
			return nil, err
		}
	}
	return nil, r.err
}

// code instruments every function body of a code section.
func (m *module) code(body []byte) ([]byte, error) {
	r := reader{b: body}
	n := r.u32()
	out := appendU32(nil, n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		fn := r.bytes(int(r.u32()))
		if r.err != nil {
			return nil, r.err
		}
		f, err := m.function(fn)
		if err != nil {
			return nil, err
		}
		out = appendU32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out, r.err
}

// function copies one function body, shifting function indices and adding
// the countdown after every loop instruction.
func (m *module) function(fn []byte) ([]byte, error) {
	r := reader{b: fn}
	for groups := r.u32(); groups > 0 && r.err == nil; groups-- {
		r.u32()  // count
		r.byte() // valtype
	}
	out := make([]byte, 0, len(fn)+len(fn)/8)
	out = append(out, fn[:r.i]...)
	countdown := m.countdown()
	for r.i < len(r.b) && r.err == nil {
		op := r.byte()
		var err error
		if out, err = m.instr(&r, op, out); err != nil {
			return nil, err
		}
		if op == 0x03 { // loop
			out = append(out, countdown...)
		}
	}
	return out, r.err
}

// countdown is: if --counter == 0 { counter = Every; if tick() { unreachable } }.
func (m *module) countdown() []byte {
	c := appendU32(nil, m.counter)
	b := append([]byte{0x23}, c...)        // global.get counter
	b = append(b, 0x45, 0x04, 0x40)        // i32.eqz; if
	b = append(b, 0x41, 0x80, 0x08, 0x24)  // i32.const 1024; global.set
	b = append(b, c...)                    //   counter
	b = appendU32(append(b, 0x10), m.tick) // call tick
	b = append(b, 0x04, 0x40, 0x00, 0x0B)  // if unreachable end
	b = append(b, 0x05, 0x23)              // else global.get
	b = append(b, c...)                    //   counter
	b = append(b, 0x41, 0x01, 0x6B, 0x24)  // i32.const 1; i32.sub; global.set
	b = append(b, c...)                    //   counter
	return append(b, 0x0B)                 // end
}

// instr copies one instruction whose opcode op was read, shifting the
// function index of call, return_call and ref.func.
func (m *module) instr(r *reader, op byte, out []byte) ([]byte, error) {
	out = append(out, op)
	if op == 0x10 || op == 0x12 || op == 0xD2 {
		return appendU32(out, m.fn(r.u32())), r.err
	}
	start := r.i
	if err := r.immediates(op); err != nil {
		return nil, err
	}
	return append(out, r.b[start:r.i]...), nil
}
