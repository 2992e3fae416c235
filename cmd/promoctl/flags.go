package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// flags makes a command's flag set; synopsis heads its -h.
func flags(c command, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name(), flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: promoctl %s [flags] %s\n\n%s\n\n", c.name(), args, c.synopsis())
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; ok is false when the command is done: -h (err is
// nil) or a bad command line (errUsage).
func parse(fs *flag.FlagSet, args []string) (ok bool, err error) {
	err = fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return false, nil
	case err != nil:
		return false, errUsage
	}
	return true, nil
}

// bundleArg is the bundle path argument, "." when none is given.
func bundleArg(fs *flag.FlagSet) string {
	if fs.NArg() > 0 {
		return fs.Arg(0)
	}
	return "."
}
