package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Exit statuses.
const (
	exitOK       = 0
	exitRejected = 1
	exitUsage    = 2
)

// env is what a command may touch of the process, so tests run commands
// in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// timeout is a store command's --timeout.
	timeout time.Duration
}

// opContext bounds a single-session store operation by --timeout.
func (e *env) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if e.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, e.timeout)
}

type command struct {
	summary string
	run     func(ctx context.Context, args []string, e *env) error
}

var commands = map[string]command{
	"decode": {"decode session_data (or signing.dumps data with --salt) to tagged JSON", runDecode},
	"encode": {"encode tagged JSON to session_data (or signing.dumps data with --salt)", runEncode},
	"sign":   {"sign a raw value with Signer or TimestampSigner", runSign},
	"unsign": {"verify a raw Signer or TimestampSigner value and print it", runUnsign},

	"get":           {"print a stored session as tagged JSON (exit 1 when missing or expired)", runGet},
	"set":           {"store a session (tagged JSON on stdin) under a key", runSet},
	"new":           {"create a session under a new key and print the key", runNew},
	"delete":        {"delete a stored session", runDelete},
	"list":          {"list stored sessions: key, expiry, user, size", runList},
	"clear-expired": {"delete expired sessions (Django's clearsessions)", runClearExpired},
	"migrate":       {"create the session table as Django's migration does", runMigrate},
	"copy":          {"copy every live session to another store (convert, re-sign, resumable)", runCopy},
	"verify":        {"compare two stores session by session", runVerify},
	"resign":        {"re-sign sessions that depend on a fallback key or an old format", runResign},
	"stats":         {"count sessions: live, expired, sizes, formats, fallback keys, users", runStats},
	"bench":         {"measure load/save latency and throughput of each configured engine on this machine", runBench},
	"doctor":        {"check the store's setup: SECRET_KEY, Redis persistence, file modes, indexes, expired sessions", runDoctor},
	"serve":         {"run an auth gateway (nginx auth_request, Traefik ForwardAuth, Caddy forward_auth)", runServe},
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "djangosess: unknown command %q\n", args[0])
		usage(e.stderr)
		return exitUsage
	}
	err := cmd.run(ctx, args[1:], e)
	return report(e.stderr, args[0], err)
}

// report prints err and maps it to an exit status.
func report(w io.Writer, name string, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(w, "djangosess %s: %v\n", name, err)
		return exitUsage
	case errors.Is(err, errSomeRejected):
		return exitRejected
	default:
		fmt.Fprintf(w, "djangosess %s: %s: %v\n", name, reason(err), err)
		return exitRejected
	}
}

// errSomeRejected: a --lines run had bad items, already reported in its output.
var errSomeRejected = errors.New("some items were rejected")

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: djangosess COMMAND [flags] [ARG]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"djangosess COMMAND -h\" for a command's flags.")
	fmt.Fprintln(w, "The secret key comes from $DJANGO_SECRET_KEY or --secret-key-file, never from the command line.")
}

// newFlagSet makes a command's flag set; parse errors come back as usage errors.
func newFlagSet(name, argsUsage, doc string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: djangosess %s [flags] %s\n\n%s\n\nflags:\n", name, argsUsage, strings.TrimSpace(doc))
		fs.PrintDefaults()
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	return nil
}
