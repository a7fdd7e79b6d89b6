package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"minyi/internal/audit"
)

// errChainBroken makes `minyi audit verify` exit non-zero after printing
// what it found.
var errChainBroken = errors.New("the audit log does not verify")

// checkpointList is a repeatable --checkpoint flag.
type checkpointList []audit.Checkpoint

func (l *checkpointList) String() string { return fmt.Sprint(len(*l)) }

func (l *checkpointList) Set(s string) error {
	c, err := audit.ParseCheckpoint(s)
	if err != nil {
		return err
	}
	*l = append(*l, c)
	return nil
}

// auditCmd runs `minyi audit verify [--checkpoint SEQ:HASH]…` and `minyi
// audit checkpoint`. verify walks the whole hash chain (audit.Verify),
// records the outcome for the office's overview and exits non-zero naming
// the first entry that does not verify; checkpoint prints the chain's head
// and the stored daily checkpoints for an auditor to keep outside the
// system.
func auditCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "checkpoint") {
		return fmt.Errorf("unknown audit command\n%s", usage)
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var given checkpointList
	if args[0] == "verify" {
		fs.Var(&given, "checkpoint", "a checkpoint kept outside the system, SEQ:HASH (repeatable)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("audit %s: %v\n%s", args[0], err, usage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit %s: unexpected argument %q\n%s", args[0], fs.Arg(0), usage)
	}
	cfg, pool, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer pool.Close()
	if args[0] == "checkpoint" {
		head, err := audit.Head(ctx, pool, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "chain head (链头), %s: %s\n", head.MadeAt.In(cfg.Location).Format("2006-01-02 15:04:05"), head)
		list, err := audit.Checkpoints(ctx, pool, 31)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			fmt.Fprintln(stdout, "daily checkpoints (每日检查点), newest first:")
		}
		for _, c := range list {
			fmt.Fprintf(stdout, "  %s  %s\n", c.MadeAt.In(cfg.Location).Format("2006-01-02 15:04"), c)
		}
		return nil
	}
	v, err := audit.Verify(ctx, pool, given)
	if err != nil {
		return err
	}
	if err := audit.SaveVerification(ctx, pool, v); err != nil {
		return err
	}
	head := audit.Checkpoint{Seq: v.HeadSeq, Hash: v.HeadHash}
	if !v.OK {
		fmt.Fprintf(stdout, "FAILED after %d links (校验未通过): %s\n", v.Checked, v.Problem)
		return errChainBroken
	}
	fmt.Fprintf(stdout, "ok (校验通过): %d links verified in %s; %d checkpoint(s) given matched; head %s\n",
		v.Checked, v.Took.Round(time.Millisecond), len(given), head)
	return nil
}
