package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/promoedge/promoedge/internal/suggest"
)

// flags makes a command's flag set; synopsis and examples head its -h.
func flags(c command, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name(), flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: promoctl %s [flags] %s\n\n%s\n\n", c.name(), args, c.synopsis())
		if ex := examples[c.name()]; len(ex) > 0 {
			fmt.Fprintf(stderr, "examples:\n  %s\n\n", strings.Join(ex, "\n  "))
		}
		fmt.Fprintln(stderr, "flags (before or after the arguments; -- ends them):")
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, flags before or after the arguments as opa takes
// them; ok is false when the command is done: -h (err is nil) or a bad
// command line (errUsage), reported with the closest known flag.
func parse(fs *flag.FlagSet, args []string) (ok bool, err error) {
	err = fs.Parse(interspersed(fs, args))
	switch {
	case errors.Is(err, flag.ErrHelp):
		return false, nil
	case err != nil:
		if hint := didYouMean(fs, err); hint != "" {
			fmt.Fprintf(fs.Output(), "promoctl %s: %s\n", fs.Name(), hint)
		}
		return false, errUsage
	}
	return true, nil
}

// interspersed reorders args as flags first, then "--", then the
// arguments, so that `build dir -o out.tar.gz` reads -o. A flag's value
// follows it unless it is a boolean flag or written --name=value; an
// unknown flag is left for Parse to refuse.
func interspersed(fs *flag.FlagSet, args []string) []string {
	var flagArgs, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		name := strings.TrimLeft(a, "-")
		if f := fs.Lookup(name); f == nil || isBool(f) || strings.Contains(name, "=") || i+1 == len(args) {
			continue
		}
		i++
		flagArgs = append(flagArgs, args[i])
	}
	return append(append(flagArgs, "--"), positional...)
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// didYouMean is "did you mean --x?" for the flag closest to the one err
// says is not defined, or "".
func didYouMean(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	var known []string
	fs.VisitAll(func(f *flag.Flag) { known = append(known, f.Name) })
	if best := suggest.Closest(strings.TrimLeft(name, "-"), known); best != "" {
		return fmt.Sprintf("did you mean -%s%s?", strings.Repeat("-", min(1, len(best)-1)), best)
	}
	return ""
}

// bundleArg is the bundle path argument, "." when none is given.
func bundleArg(fs *flag.FlagSet) string {
	if fs.NArg() > 0 {
		return fs.Arg(0)
	}
	return "."
}

// oneArg refuses more arguments than the one bundle path a command takes.
func oneArg(fs *flag.FlagSet, stderr io.Writer) error {
	if fs.NArg() > 1 {
		return usageError(fs, stderr, "unexpected argument %q: give one bundle path", fs.Arg(1))
	}
	return nil
}
