// Package progress shows how far a long promoctl command is (a million
// codes generated, a ledger exported) on stderr: a bar with rate and ETA
// when stderr is a terminal and the total is known, a spinner with a
// counter when it is not known, and plain lines at a bounded rate
// otherwise (pipes, CI, tests), each display ending with a summary line.
//
// # Caveats
//
// A Meter is for one goroutine. Nothing else may write to its writer
// until Finish or Abort: a bar redraws its line in place.
package progress
