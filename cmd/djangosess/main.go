// Command djangosess reads and writes Django session data from the command
// line: decode and encode session_data and signing.dumps strings, sign and
// unsign raw Signer values. Run "djangosess help" for the commands.
//
// Exit status: 0 when the data was accepted, 1 when it was rejected (the
// reason on stderr), 2 for a usage error.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}
