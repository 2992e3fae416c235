package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/promoedge/promoedge/internal/suggest"
)

// embeddedWarning is said at the start, and in GET /v1/bundles, while the
// example bundle serves because serve was given no bundle.
const embeddedWarning = "SERVING THE EMBEDDED EXAMPLE BUNDLE (demo campaigns, not yours): no --bundle or --bundle-url was given, and no bundle was uploaded before"

// errHelp is -h or --help: the help was printed, nothing else is done.
var errHelp = errors.New("help shown")

const serveHelp = `usage: promoedge serve [flags]

Runs the sidecar: prices carts over HTTP for the checkout beside it. Every
flag is also PROMOEDGE_<NAME> in the environment (dashes as underscores),
or a key of the --config file. serve takes no arguments: the bundle is
--bundle PATH.

examples:
  promoedge serve --bundle ./bundle --data /var/lib/promoedge
  promoedge serve --bundle bundle.tar.gz --watch --admin-token "$TOKEN"
  promoedge serve --bundle-url https://bundles.example/promo.tar.gz --verification-key pub.pem
  promoedge serve --socket /run/promoedge.sock --api-token "$CHECKOUT_TOKEN"
  promoedge serve --node a --cluster-bind 10.0.0.1:7946 --join 10.0.0.2:7946
  promoedge serve --config promoedge.yaml

flags:
`

// parseCommandLine parses a command's flags, refusing what it does not
// understand: an unknown flag (with the closest known one), and any
// argument, which a flag set would otherwise leave unread.
func parseCommandLine(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.Usage = func() {} // an error is reported below, short
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stderr, serveHelp)
		fs.PrintDefaults()
		return errHelp
	case err != nil:
		fmt.Fprintf(stderr, "promoedge %s: %s%s (promoedge %s -h lists the flags)\n", fs.Name(), err, didYouMean(fs, err), fs.Name())
		return errUsage
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "promoedge %s: unexpected argument %q%s (promoedge %s -h lists the flags)\n", fs.Name(), fs.Arg(0), argHint(fs), fs.Name())
		return errUsage
	}
	return nil
}

// didYouMean names the flag closest to the one err says is not defined.
func didYouMean(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	var known []string
	fs.VisitAll(func(f *flag.Flag) { known = append(known, f.Name) })
	if best := suggest.Closest(strings.TrimLeft(name, "-"), known); best != "" {
		return fmt.Sprintf("; did you mean --%s?", best)
	}
	return ""
}

// argHint says how to write an argument serve does not take: a path is
// probably the bundle.
func argHint(fs *flag.FlagSet) string {
	arg := fs.Arg(0)
	if fs.Lookup("bundle") != nil && (strings.ContainsAny(arg, "/.") || strings.HasSuffix(arg, ".tar.gz")) {
		return fmt.Sprintf("; to serve that bundle, write --bundle %s", arg)
	}
	return ""
}
