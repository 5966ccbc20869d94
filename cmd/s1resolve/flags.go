package main

import (
	"errors"
	"flag"
	"fmt"
)

// errUsage is wrapped by errors that mean the command line is wrong: the
// command exits with status 2.
var errUsage = errors.New("usage")

// usageError is a command-line error printed as it is, exit status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func (e usageError) Unwrap() error { return errUsage }

// parseInterspersed parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// checkRange refuses the integer flag name when it was given outside
// [lo, hi]; its default is not checked (it may mean "automatic").
func checkRange(fs *flag.FlagSet, name string, v, lo, hi int) error {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if set && (v < lo || v > hi) {
		return usageError(fmt.Sprintf("--%s %d: must be from %d to %d", name, v, lo, hi))
	}
	return nil
}
