// Command promoctl authors promoedge bundles: init a new one, lint it,
// test its prices, build it (Rego or wasm, optionally signed), sign one,
// and price a cart offline. It also operates a running sidecar: generate
// codes, export the ledger.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // campaign time zones must not depend on the host

	"github.com/promoedge/promoedge/internal/suggest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.Is(err, errFailed): // the command has said what failed
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "promoctl:", err)
		os.Exit(1)
	}
}

var (
	// errUsage is a command line promoctl does not understand.
	errUsage = errors.New("usage")
	// errFailed is a lint, test or build that found problems and printed
	// them.
	errFailed = errors.New("failed")
)

// command is one subcommand.
type command interface {
	name() string
	synopsis() string
	run(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands in the order usage lists them.
var commands = []command{initCmd{}, lintCmd{}, testCmd{}, buildCmd{}, signCmd{}, evalCmd{}, codesCmd{}, ledgerCmd{}, walletCmd{}, versionCmd{}}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: promoctl <command> [flags] [args]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-7s %s\n", c.name(), c.synopsis())
	}
	fmt.Fprint(w, `
examples:
  promoctl init ./my-bundle && promoctl test ./my-bundle
  promoctl build ./my-bundle -o promo.tar.gz
  promoctl ledger --format csv -o ledger.csv --token "$PROMOEDGE_ADMIN_TOKEN"

promoctl <command> -h shows a command's flags and examples.
`)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	for _, c := range commands {
		if c.name() == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	names := []string{"help"}
	for _, c := range commands {
		names = append(names, c.name())
	}
	fmt.Fprintf(stderr, "promoctl: unknown command %q%s\n", args[0], suggest.DidYouMean(args[0], names))
	usage(stderr)
	return errUsage
}
