package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// clock is a fake time that tests move.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLinesKnownTotal(t *testing.T) {
	var buf bytes.Buffer
	c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	m := newLines(&buf, Task{Noun: "codes", Total: 1_000_000}, c.now)
	for items := int64(1024); items <= 1_000_000; items += 1024 {
		c.t = c.t.Add(time.Millisecond) // 1024 codes a millisecond
		m.Update(items, 0)
	}
	m.Update(1_000_000, 0)
	m.Finish("wrote 1000000 codes to codes.txt in 1s")
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(got) != 10 { // 10% .. 90%, then the summary
		t.Fatalf("%d lines:\n%s", len(got), buf.String())
	}
	if !strings.HasPrefix(got[0], "100352/1000000 codes (10%), ") || !strings.HasSuffix(got[0], "/s") ||
		!strings.HasPrefix(got[8], "900096/1000000 codes (90%)") || got[9] != "wrote 1000000 codes to codes.txt in 1s" {
		t.Fatalf("lines:\n%s", buf.String())
	}
}

func TestLinesUnknownTotalAndSlowProgress(t *testing.T) {
	var buf bytes.Buffer
	c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	m := newLines(&buf, Task{Noun: "records"}, c.now)
	m.Update(10, 2_000)
	c.t = c.t.Add(Every) // slow: a line every 2 s, whatever the count
	m.Update(20, 4_000)
	c.t = c.t.Add(time.Second)
	m.Update(Step, 1_500_000) // a step: a line
	m.Update(Step+1, 1_500_100)
	m.Finish("wrote 100001 records")
	want := "20 records, 4.0 kB, 10/s\n100000 records, 1.5 MB, 33333/s\nwrote 100001 records\n"
	if buf.String() != want {
		t.Fatalf("got\n%swant\n%s", buf.String(), want)
	}
}

func TestBarOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	m := New(&buf, true, Task{Noun: "codes", Total: 1000})
	for items := int64(100); items <= 1000; items += 100 {
		m.Update(items, 0)
	}
	m.Finish("wrote 1000 codes to stdout in 0.0s")
	out := buf.String()
	if !strings.Contains(out, "█") || !strings.Contains(out, "100%") || !strings.Contains(out, "(1000/1000, ") ||
		!strings.Contains(out, "codes/s") || !strings.Contains(out, "\r") || !strings.HasSuffix(out, "\nwrote 1000 codes to stdout in 0.0s\n") {
		t.Fatalf("bar output %q", out)
	}
}

func TestSpinnerOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	m := newBar(&buf, Task{Noun: "records"}, 0)
	m.Update(5, 2_500)
	m.Abort()
	out := buf.String()
	if !strings.Contains(out, "records, 2.5 kB") || !strings.Contains(out, "(5/-, ") || strings.Contains(out, "█") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("spinner output %q", out)
	}
	if Terminal(&buf) {
		t.Fatal("a buffer is a terminal")
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_234_567: "1.2 MB", 7_100_000_000: "7.1 GB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
