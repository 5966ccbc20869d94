// Command s1resolve decides, for SMETS1 installations handed over by SMSOs,
// which may migrate and which are excluded, blocked or held, by the rules of
// DCC's "SMETS1 Consultation - Various 2" (docs/FORMATS.md, docs/RULES.md).
// Run `s1resolve help` for the subcommands.
//
// Each subcommand is one file declaring one command value (command.go says
// what a declaration holds); the table below lists them, and the help is
// generated from it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/paths"
)

// commands are the subcommands, in the order the help lists them.
var commands = []*command{
	runCommand,
	genCommand,
	demoCommand,
	explainCommand,
	reportCommand,
	diffCommand,
	whatifCommand,
	impactCommand,
	rulesCommand,
	infoCommand,
	serveCommand,
	tokenCommand,
	versionCommand,
}

func main() {
	// MPxNs locate premises: everything the run creates, the store's own
	// files included, is for the owner only.
	syscall.Umask(0o077)
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go onSignals(sigs, cancel, job.Committing, os.Stderr, os.Exit)
	os.Exit(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// onSignals acts on the signals received: the first cancels the work,
// which stops within a second and leaves every file as it was; a second
// exits at once (status 130), but never in the middle of a commit
// (committing), which would leave some outputs of the new run beside some
// of the old.
func onSignals(sigs <-chan os.Signal, cancel func(), committing func() bool, stderr io.Writer, exit func(int)) {
	<-sigs
	cancel()
	<-sigs
	if committing() {
		fmt.Fprintln(stderr, "s1resolve: second signal during the commit: finishing the commit first")
		return
	}
	fmt.Fprintln(stderr, "s1resolve: second signal: exiting at once; partial outputs are left under .*.partial-* names")
	exit(130)
}

// usage is the help of s1resolve itself, from the commands table.
func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("s1resolve resolves SMETS1 installations for migration.\n\nUsage:\n")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(&b, "  s1resolve %-*s  %s\n", width, c.name, c.summary)
	}
	b.WriteString("\nRun \"s1resolve COMMAND --help\" for a command's flags (with " + debugEnv + " set, its developer flags too).\n")
	io.WriteString(w, b.String())
}

// dispatch runs the subcommand named by args[0] and returns the exit code:
// 0 done, 1 error, 2 usage or a refused slip, 130 interrupted.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = []string{"version"}
	}
	if len(args) > 1 && args[0] == "help" {
		// "help run" is "run --help"; "help nosuch" is an unknown command.
		args = []string{args[1], "--help"}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		run, e, err := c.parse(args[1:], stderr)
		if err == nil {
			e.stdin, e.stdout, e.stderr, e.proc = os.Stdin, stdout, stderr, processSettings()
			err = run(ctx, e)
		}
		return exitCode(ctx, c.name, err, stderr)
	}
	fmt.Fprintf(stderr, "s1resolve: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// exitCode prints err as the command's last word and returns the exit code.
func exitCode(ctx context.Context, name string, err error, stderr io.Writer) int {
	switch {
	case err == nil && job.CommittedAfterSignal():
		// The signal came once the commit had begun: it ran to its end, and
		// the command did all it was asked.
		fmt.Fprintf(stderr, "s1resolve %s: the signal came while the outputs were being placed: that was finished, and every output is this run's\n", name)
		return 0
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, paths.ErrConflict):
		fmt.Fprintf(stderr, "s1resolve %s: %v\nrefused before any work; nothing was read or written\n", name, err)
		return 2
	case errors.Is(err, errUsage):
		if msg := err.Error(); msg != errUsage.Error() {
			fmt.Fprintf(stderr, "s1resolve %s: %s\n", name, msg)
		}
		return 2
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		fmt.Fprintf(stderr, "s1resolve %s: interrupted; every file is as it was (no output was written under its final name)\n", name)
		return 130
	default:
		fmt.Fprintf(stderr, "s1resolve %s: %v\n", name, err)
		return 1
	}
}
