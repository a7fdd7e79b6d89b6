package ratings

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestReferenceRoundTrip(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{
		time.Date(2026, 12, 3, 9, 30, 15, 123456789, sh),
		time.Date(2026, 12, 3, 0, 0, 0, 0, sh),            // the first millisecond of the day
		time.Date(2026, 12, 3, 23, 59, 59, 999999999, sh), // the last
		time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC),    // 00:30 the next day in Shanghai
		time.Date(2031, 2, 28, 12, 0, 0, 500, time.FixedZone("", 0)),
	} {
		for range 50 {
			id := NewQRID(at)
			if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
				t.Fatalf("NewQRID: version %d variant %v", id.Version(), id.Variant())
			}
			ref := Reference(id, sh)
			if want := at.In(sh).Format("20060102") + "-"; !strings.HasPrefix(ref, want) || len(ref) != 20 {
				t.Fatalf("reference %q of %v: want the day %s and 20 characters", ref, at, want)
			}
			for _, typed := range []string{ref, strings.ToLower(ref), strings.ReplaceAll(ref, "-", " "),
				strings.NewReplacer("0", "O", "1", "l").Replace(ref), " " + ref + " "} {
				rr, err := ParseReference(typed, sh)
				if err != nil {
					t.Fatalf("ParseReference(%q): %v", typed, err)
				}
				if rr.Reference != ref {
					t.Errorf("ParseReference(%q) reads %q, want %q", typed, rr.Reference, ref)
				}
				if bytes.Compare(rr.Low[:], id[:]) > 0 || bytes.Compare(id[:], rr.High[:]) > 0 {
					t.Fatalf("%s: id %s outside %s..%s", ref, id, rr.Low, rr.High)
				}
				if at.Before(rr.From) || !at.Before(rr.To) {
					t.Fatalf("%s: rated_at %v outside %v..%v", ref, at, rr.From, rr.To)
				}
			}
		}
	}
}

// Two ratings of the same millisecond have different references: the
// random bits tell them apart.
func TestReferenceRandomBits(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for range 1000 {
		seen[Reference(NewQRID(at), time.UTC)] = true
	}
	if len(seen) < 990 {
		t.Fatalf("1000 ids of one millisecond give %d references", len(seen))
	}
}

func TestParseReferenceRefuses(t *testing.T) {
	for _, s := range []string{"", "20261203", "20261203-1Q9ZK-4M7T", "20261203-1Q9ZK-4M7TXX", "20261332-1Q9ZK-4M7TX",
		"20261203-1Q9ZK-4M7TU", "20261203-ZZZZZ-ZZZZZ", "２0261203-1Q9ZK-4M7TX", "20261203-1Q9ZK-4M7T!"} {
		if _, err := ParseReference(s, time.UTC); err == nil {
			t.Errorf("ParseReference(%q) accepted it", s)
		}
	}
}
