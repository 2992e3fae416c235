package main

import (
	"context"
	"fmt"
	"io"
)

// examples are shown by each command's -h, as a user would type them.
var examples = map[string][]string{
	"init":   {"promoctl init ./my-bundle"},
	"lint":   {"promoctl lint ./my-bundle", "promoctl lint bundle.tar.gz"},
	"test":   {"promoctl test ./my-bundle", "promoctl test ./my-bundle tests/vip.yaml -v"},
	"build":  {"promoctl build ./my-bundle -o promo.tar.gz", "promoctl build ./my-bundle --target wasm --signing-key key.pem -o promo.tar.gz"},
	"sign":   {"promoctl sign promo.tar.gz --signing-key key.pem"},
	"eval":   {"promoctl eval request.json --bundle ./my-bundle", "promoctl eval - < request.json"},
	"codes":  {"promoctl codes --campaign spring --count 1000 --pattern 'SPR-####-????' -o codes.txt --token \"$PROMOEDGE_ADMIN_TOKEN\""},
	"ledger": {"promoctl ledger --format csv --since 2026-11-01T00:00:00Z -o ledger.csv", "promoctl ledger --customer u-42 --url unix:///run/promoedge.sock"},
}

// versionCmd prints promoctl's version.
type versionCmd struct{}

func (versionCmd) name() string     { return "version" }
func (versionCmd) synopsis() string { return "print the version" }

func (c versionCmd) run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "", stderr)
	if ok, err := parse(fs, args); !ok {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fs, stderr, "unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintln(stdout, "promoctl", version)
	return nil
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"
