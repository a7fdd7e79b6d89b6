// Command minyi runs the Minyi service and its administrative commands.
//
//	minyi serve                  serve HTTP
//	minyi migrate                apply database migrations
//	minyi user add --username NAME --role office|unit [--unit ID]   (password on stdin)
//	minyi demo                   seed a demo dataset and print the demo logins
//	minyi partitions list|archive|restore   list, archive and restore monthly rating partitions
//	minyi audit verify|checkpoint   verify the audit log's hash chain, print its checkpoints
//	minyi results verify --cycle N   recompute published results and name every difference
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the static binary carries its own time zone data
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "minyi:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  minyi serve
  minyi migrate
  minyi user add --username NAME --role office|unit [--unit ID]   (password read from standard input)
  minyi demo
  minyi partitions list
  minyi partitions archive --month YYYY-MM (--out FILE | --dir DIR)
  minyi partitions restore --file FILE
  minyi audit verify [--checkpoint SEQ:HASH]...   (exits 1 naming the first entry that does not verify)
  minyi audit checkpoint
  minyi results verify --cycle N [--publication ID]   (exits 1 listing every difference)
configuration comes from the environment; see README.md`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("no command given\n%s", usage)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, getenv, stderr)
	case "migrate":
		return migrate(ctx, getenv, stdout)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			return fmt.Errorf("unknown user command\n%s", usage)
		}
		return userAdd(ctx, args[2:], getenv, stdin, stdout)
	case "demo":
		return seedDemo(ctx, getenv, stdout)
	case "partitions":
		return partitionsCmd(ctx, args[1:], getenv, stdout)
	case "results":
		return resultsCmd(ctx, args[1:], getenv, stdout)
	case "audit":
		return auditCmd(ctx, args[1:], getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}
