// Command promoedge is the promotion sidecar: `promoedge serve` prices carts
// for the checkout service beside it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/promoedge/promoedge/internal/suggest"
)

// gcPercent is the GC target promoedge runs with unless GOGC says
// otherwise: a sidecar's live heap is small and its hot paths allocate, so
// collecting at 4x the live heap instead of 2x halves GC work for a few
// megabytes (see RATIONALE.md).
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if errors.Is(err, errHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "promoedge:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `usage: promoedge <command> [flags]

commands:
  serve     run the sidecar (promoedge serve -h for its flags and examples)
  check     check a store's counters against its ledger (--data DIR or --file FILE)
  backup    copy a store consistently (--out FILE, and --url of a running sidecar or --data of a stopped one)
  version   print the version

examples:
  promoedge serve --bundle ./bundle --admin-token "$TOKEN"
  promoedge serve -h
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		cfg, err := parseServe(args[1:], getenv, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "promoedge", version)
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q%s\n%s", args[0], suggest.DidYouMean(args[0], []string{"serve", "version", "help"}), usage)
	return errUsage
}
