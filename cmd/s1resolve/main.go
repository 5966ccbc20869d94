// Command s1resolve decides, for SMETS1 installations handed over by SMSOs,
// which may migrate and which are excluded, blocked or held, by the rules of
// DCC's "SMETS1 Consultation - Various 2" (see the contract in
// shared/spec). Run `s1resolve help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/s1resolve/s1resolve/paths"
)

const usage = `s1resolve resolves SMETS1 installations for migration.

Usage:
  s1resolve run [flags] FILE...      resolve installation files, write decisions and rejects
  s1resolve gen [flags]              generate a synthetic population
  s1resolve explain --db DIR KEY     explain the decision for an MPAN, MPRN, GUID or smso/installation_id
  s1resolve demo                     generate a 100,000-installation sample and run on it
  s1resolve rules [--rules FILE]     print the rules in force: step 5 thresholds and clauses
  s1resolve report --decisions FILE  write summary tables, supplier lists and an HTML page
  s1resolve diff [--out DIR] OLD NEW compare the decisions of two runs: transitions, changes, supplier lists
  s1resolve whatif --db DIR --rules FILE  re-decide a stored population under other thresholds or clauses
  s1resolve impact --db DIR [--rules FILE] [--out DIR]  what each clause in force excludes and unblocks
  s1resolve info --db DIR            print what produced a store: inputs, rules, build
  s1resolve version                  print the version and VCS revision (also --version)

Run "s1resolve COMMAND --help" for a command's flags.
`

type command struct {
	name string
	run  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"run", runCmd},
	{"gen", genCmd},
	{"explain", explainCmd},
	{"demo", demoCmd},
	{"rules", rulesCmd},
	{"report", reportCmd},
	{"version", versionCmd},
	{"info", infoCmd},
	{"diff", diffCmd},
	{"whatif", whatifCmd},
	{"impact", impactCmd},
}

func main() {
	// MPxNs locate premises: everything the run creates, the store's own
	// files included, is for the owner only.
	syscall.Umask(0o077)
	ctx, cancel := context.WithCancel(context.Background())
	// The first SIGINT or SIGTERM cancels the work, which stops within a
	// second or two and removes its partial files; a second exits at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "s1resolve: second signal: exiting at once; partial outputs are left under .*.partial-* names")
		os.Exit(130)
	}()
	os.Exit(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch runs the subcommand named by args[0] and returns the exit code.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = []string{"version"}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, paths.ErrConflict):
			fmt.Fprintf(stderr, "s1resolve %s: %v\nrefused before any work; nothing was read or written\n", c.name, err)
			return 2
		case errors.Is(err, errUsage):
			if msg := err.Error(); msg != errUsage.Error() {
				fmt.Fprintf(stderr, "s1resolve %s: %s\n", c.name, msg)
			}
			return 2
		case errors.Is(err, context.Canceled):
			fmt.Fprintf(stderr, "s1resolve %s: interrupted; no output was written under its final name\n", c.name)
			return 130
		default:
			fmt.Fprintf(stderr, "s1resolve %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "s1resolve: unknown command %q\n\n%s", args[0], usage)
	return 2
}
