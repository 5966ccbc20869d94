package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/pipeline"
)

// command is one subcommand, declared once: its name, its positional
// arguments, a one-line summary for `s1resolve help`, what it does for its
// --help, and its flags. Parsing, the help text, the checks of the argument
// count and of required flags and ranges are derived from the declaration,
// so a subcommand file holds only what is its own.
type command struct {
	name     string
	args     string // the positional arguments as the usage line shows them ("FILE...", "OLD NEW"); "" for none
	min, max int    // how many positional arguments; max -1: no limit
	summary  string // one line, for s1resolve help
	about    string // what the command does, for its --help
	// setup declares the command's flags on f and returns what runs it,
	// once the flags are parsed and checked.
	setup func(f *flags) action
}

// action runs a command whose flags are parsed.
type action func(ctx context.Context, e *env) error

// env is what a command runs with: its positional arguments and the
// process's streams and settings, decided here and passed down.
type env struct {
	args           []string
	names          pipeline.Names // the file arguments, by the flags that name them
	stdin          *os.File
	stdout, stderr io.Writer
	proc           process
}

// errUsage is wrapped by errors that mean the command line is wrong: the
// command exits with status 2.
var errUsage = errors.New("usage")

// usageError is a command-line error printed as it is, exit status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

func (e usageError) Unwrap() error { return errUsage }

// debugEnv is the environment variable that shows developer flags
// (profiling) in the help: they work either way.
const debugEnv = "S1RESOLVE_DEBUG"

// flags is a command's flag set and what the help says of each flag.
type flags struct {
	fs    *flag.FlagSet
	specs []*flagSpec
}

// flagSpec is one declared flag.
type flagSpec struct {
	name, value, usage, def string
	required, developer     bool
	lo, hi                  int // range of an integer flag, checked when given
	ranged                  bool
	arg                     pipeline.Arg // the file argument the flag names, if any
	hasArg                  bool
}

// Names says which file argument of the command's pipeline Config the flag
// names, so that messages call it by the flag ("--out x.csv").
func (s *flagSpec) Names(a pipeline.Arg) *flagSpec { s.arg, s.hasArg = a, true; return s }

// names maps the file arguments to the flags that name them.
func (f *flags) names() pipeline.Names {
	n := pipeline.Names{}
	for _, s := range f.specs {
		if s.hasArg {
			n[s.arg] = "--" + s.name
		}
	}
	return n
}

// Required marks the flag as one the command cannot run without.
func (s *flagSpec) Required() *flagSpec { s.required = true; return s }

// Developer marks a flag for developers (profiling): listed in the help only
// when S1RESOLVE_DEBUG is set.
func (s *flagSpec) Developer() *flagSpec { s.developer = true; return s }

func (f *flags) add(name, value, def, usage string) *flagSpec {
	s := &flagSpec{name: name, value: value, usage: usage, def: def}
	f.specs = append(f.specs, s)
	return s
}

// String declares a flag with a named value (value is its name in the help:
// FILE, DIR, N).
func (f *flags) String(p *string, name, value, def, usage string) *flagSpec {
	f.fs.StringVar(p, name, def, usage)
	return f.add(name, value, def, usage)
}

// Int declares an integer flag, refused outside [lo, hi] when given.
func (f *flags) Int(p *int, name, value string, def int, usage string, lo, hi int) *flagSpec {
	f.fs.IntVar(p, name, def, usage)
	s := f.add(name, value, "", usage)
	if def != 0 {
		s.def = strconv.Itoa(def)
	}
	s.lo, s.hi, s.ranged = lo, hi, true
	return s
}

// Uint64 declares an unsigned integer flag.
func (f *flags) Uint64(p *uint64, name, value string, def uint64, usage string) *flagSpec {
	f.fs.Uint64Var(p, name, def, usage)
	return f.add(name, value, strconv.FormatUint(def, 10), usage)
}

// Float declares a number flag.
func (f *flags) Float(p *float64, name, value string, def float64, usage string) *flagSpec {
	f.fs.Float64Var(p, name, def, usage)
	return f.add(name, value, strconv.FormatFloat(def, 'g', -1, 64), usage)
}

// Bool declares a switch.
func (f *flags) Bool(p *bool, name, usage string) *flagSpec {
	f.fs.BoolVar(p, name, false, usage)
	return f.add(name, "", "", usage)
}

// The flags several commands share, declared once.

// DB declares --db DIR, the store.
func (f *flags) DB(p *string, usage string) *flagSpec {
	return f.String(p, "db", "DIR", "", usage).Names(pipeline.ArgStore)
}

// Workers declares --workers N.
func (f *flags) Workers(p *int) *flagSpec {
	return f.Int(p, "workers", "N", 0, "N parallel workers, 1 to 1024 (default: all cores)", 1, 1024)
}

// Rules declares --rules FILE, the rules file (thresholds, clauses in force).
func (f *flags) Rules(p *string, usage string) *flagSpec {
	return f.String(p, "rules", "FILE", "", usage).Names(pipeline.ArgRules)
}

// Supplier declares --supplier ID: one Responsible Supplier's reports.
func (f *flags) Supplier(p *string, usage string) *flagSpec {
	return f.String(p, "supplier", "ID", "", usage).Names(pipeline.ArgReportSupplier)
}

// CPUProfile declares the developer flag --cpuprofile FILE.
func (f *flags) CPUProfile(p *string) *flagSpec {
	return f.String(p, "cpuprofile", "FILE", "", "write a CPU profile of the work to FILE").Developer().Names(pipeline.ArgProfile)
}

// given reports whether the flag name was set on the command line.
func (f *flags) given(name string) bool {
	set := false
	f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

// usage writes the command's help: its usage line, what it does, and every
// flag with its named value (developer flags when S1RESOLVE_DEBUG is set).
func (c *command) usage(w io.Writer, f *flags) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: s1resolve %s", c.name)
	if len(f.specs) > 0 {
		b.WriteString(" [flags]")
	}
	if c.args != "" {
		b.WriteString(" " + c.args)
	}
	b.WriteString("\n\n" + strings.TrimSpace(c.about) + "\n")
	dev := os.Getenv(debugEnv) != ""
	write := func(title string, developer bool) {
		var lines [][2]string
		width := 0
		for _, s := range f.specs {
			if s.developer != developer {
				continue
			}
			left := "--" + s.name
			if s.value != "" {
				left += " " + s.value
			}
			right := s.usage
			if s.required {
				right += " (required)"
			} else if s.def != "" && s.value != "" {
				right += " (default " + s.def + ")"
			}
			lines = append(lines, [2]string{left, right})
			width = max(width, len(left))
		}
		if len(lines) == 0 {
			return
		}
		b.WriteString("\n" + title + ":\n")
		for _, l := range lines {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, l[0], l[1])
		}
	}
	write("Flags", false)
	if dev {
		write("Developer flags", true)
	} else if slices.ContainsFunc(f.specs, func(s *flagSpec) bool { return s.developer }) {
		fmt.Fprintf(&b, "\nDeveloper flags (profiling) are listed when %s is set (%s=1 s1resolve %s --help).\n", debugEnv, debugEnv, c.name)
	}
	io.WriteString(w, b.String())
}

// parse parses args (flags may come before, between or after the positional
// arguments; "--" ends the flags) and checks the argument count, the
// required flags and the ranges. It returns the action to run.
func (c *command) parse(args []string, stderr io.Writer) (action, *env, error) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &flags{fs: fs}
	run := c.setup(f)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.usage(stderr, f)
				return nil, nil, err
			}
			msg := strings.NewReplacer("flag: -", "flag: --", "flag -", "flag --").Replace(err.Error())
			return nil, nil, usageError(fmt.Sprintf("%s (see s1resolve %s --help)", msg, c.name))
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	for _, s := range f.specs {
		if s.required && !f.given(s.name) {
			return nil, nil, usageError(fmt.Sprintf("--%s is required (see s1resolve %s --help)", s.name, c.name))
		}
		if s.ranged && f.given(s.name) {
			v, _ := strconv.Atoi(fs.Lookup(s.name).Value.String())
			if v < s.lo || v > s.hi {
				return nil, nil, usageError(fmt.Sprintf("--%s %s: must be from %d to %d", s.name, fs.Lookup(s.name).Value, s.lo, s.hi))
			}
		}
	}
	switch {
	case len(pos) < c.min && c.min == 1 && c.max != 1:
		c.usage(stderr, f)
		return nil, nil, usageError(fmt.Sprintf("give at least one %s", strings.TrimSuffix(c.args, "...")))
	case len(pos) < c.min || c.max >= 0 && len(pos) > c.max:
		c.usage(stderr, f)
		want := c.args
		if want == "" {
			return nil, nil, usageError(fmt.Sprintf("takes no arguments; got %q", strings.Join(pos, " ")))
		}
		return nil, nil, usageError(fmt.Sprintf("want %s; got %d argument(s)", want, len(pos)))
	}
	return run, &env{args: pos, names: f.names()}, nil
}

// readStore plans the store DIR given to --db as a folder the command only
// reads (paths rules: present, no output inside it), then opens it.
func readStore(db string) (*index.Store, error) {
	j := job.New(job.Streams{})
	defer j.Abort()
	if err := j.ReadFolder("--db", db); err != nil {
		return nil, err
	}
	return index.Open(db)
}
