//go:build race

package sidecar_test

// raceEnabled: the race detector slows every request several times over
// and unevenly, so timing assertions only hold without it.
const raceEnabled = true
