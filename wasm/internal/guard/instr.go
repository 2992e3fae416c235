package guard

import "fmt"

// immediates skips the immediates of instruction op.
func (r *reader) immediates(op byte) error {
	switch {
	case op == 0x02 || op == 0x03 || op == 0x04: // block, loop, if: blocktype
		r.leb()
	case op == 0x0C || op == 0x0D || op == 0x10 || op == 0x12 || op == 0xD2 || op == 0xD4 || op == 0xD6:
		r.leb() // br, br_if, call, return_call, ref.func, br_on_null, br_on_non_null
	case op == 0x0E: // br_table
		for n := r.u32(); n > 0 && r.err == nil; n-- {
			r.leb()
		}
		r.leb()
	case op == 0x11 || op == 0x13: // call_indirect, return_call_indirect
		r.leb()
		r.leb()
	case op == 0x1C: // select t*
		for n := r.u32(); n > 0 && r.err == nil; n-- {
			r.leb()
		}
	case op >= 0x20 && op <= 0x26: // local.*, global.*, table.get/set
		r.leb()
	case op >= 0x28 && op <= 0x3E: // loads and stores
		r.memarg()
	case op == 0x3F || op == 0x40: // memory.size, memory.grow
		r.leb()
	case op == 0x41 || op == 0x42: // i32.const, i64.const
		r.leb()
	case op == 0x43:
		r.bytes(4)
	case op == 0x44:
		r.bytes(8)
	case op == 0xD0: // ref.null heaptype
		r.leb()
	case op == 0xFC:
		return r.prefixFC()
	case op == 0xFD:
		return r.prefixFD()
	case op == 0xFE:
		return r.prefixFE()
	case op <= 0x01 || op == 0x05 || op == 0x0B || op == 0x0F || op == 0x1A || op == 0x1B,
		op >= 0x45 && op <= 0xC4, op == 0xD1 || op == 0xD3 || op == 0xD5:
		// no immediates
	default:
		return fmt.Errorf("%w: opcode 0x%02x", ErrUnknown, op)
	}
	return r.err
}

func (r *reader) prefixFC() error {
	switch sub := r.u32(); {
	case sub <= 7: // saturating truncations
	case sub == 8 || sub == 10 || sub == 12 || sub == 14: // memory.init, memory.copy, table.init, table.copy
		r.leb()
		r.leb()
	case sub == 9 || sub == 11 || sub == 13 || (sub >= 15 && sub <= 17): // data.drop, memory.fill, elem.drop, table.grow/size/fill
		r.leb()
	default:
		return fmt.Errorf("%w: opcode 0xfc %d", ErrUnknown, sub)
	}
	return r.err
}

func (r *reader) prefixFD() error {
	switch sub := r.u32(); {
	case sub <= 11 || sub == 92 || sub == 93: // v128 loads and stores
		r.memarg()
	case sub == 12 || sub == 13: // v128.const, i8x16.shuffle
		r.bytes(16)
	case sub >= 21 && sub <= 34: // extract and replace lane
		r.byte()
	case sub >= 84 && sub <= 91: // load and store lane
		r.memarg()
		r.byte()
	}
	return r.err
}

func (r *reader) prefixFE() error {
	if sub := r.u32(); sub == 0x03 { // atomic.fence
		r.byte()
	} else {
		r.memarg()
	}
	return r.err
}
