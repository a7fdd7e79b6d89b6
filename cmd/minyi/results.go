package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"minyi/internal/results"
)

// errResultsDiffer makes `minyi results verify` exit non-zero after
// printing the differences.
var errResultsDiffer = errors.New("the published results do not follow from the stored data")

// resultsCmd runs `minyi results verify --cycle N [--publication ID]`: it
// recomputes the publication (the cycle's newest by default) from the data
// stored now and prints every difference from what was published
// (results.Verify).
func resultsCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("unknown results command\n%s", usage)
	}
	fs := flag.NewFlagSet("results verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cycle := fs.Int64("cycle", 0, "the assessment cycle's id")
	pub := fs.Int64("publication", 0, "one publication's id (default: the cycle's newest)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("results verify: %v\n%s", err, usage)
	}
	if fs.NArg() > 0 || *cycle <= 0 || *pub < 0 {
		return fmt.Errorf("results verify: give --cycle N (and optionally --publication ID)\n%s", usage)
	}
	cfg, pool, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer pool.Close()
	ck, err := results.Verify(ctx, pool, cfg.Location, *cycle, *pub)
	if err != nil {
		return err
	}
	stage := map[string]string{results.StagePreliminary: "preliminary (初步结果)", results.StageFinal: "final (最终结果)"}[ck.Stage]
	fmt.Fprintf(stdout, "publication %d of cycle %d, %s, published %s: %d units\n", ck.PublicationID, ck.CycleID, stage,
		ck.PublishedAt.In(cfg.Location).Format("2006-01-02 15:04:05"), ck.Units)
	if ck.Stored == "" {
		fmt.Fprintln(stdout, "snapshot hash: none stored (published before snapshots); lines compared one by one")
	} else {
		fmt.Fprintf(stdout, "snapshot hash: published %s, recomputed %s\n", ck.Stored, ck.Recomputed)
	}
	if ck.OK {
		fmt.Fprintln(stdout, "ok (校验通过): the published results follow exactly from the stored data")
		return nil
	}
	fmt.Fprintf(stdout, "FAILED (校验未通过): %d difference(s):\n", len(ck.Differences))
	for _, d := range ck.Differences {
		fmt.Fprintln(stdout, "  "+d)
	}
	return errResultsDiffer
}
