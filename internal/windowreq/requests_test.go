package windowreq_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/testutil"
	"minyi/internal/windowreq"
)

func TestInputValidate(t *testing.T) {
	id := int64(7)
	for _, c := range []struct {
		name   string
		in     windowreq.Input
		fields string
	}{
		{"valid", windowreq.Input{ClientRequestID: "a-1", CaseNo: " BJ-1 ", TerminalID: &id, Phone: "+86 138 0013 8000"}, ""},
		{"nothing", windowreq.Input{}, "case_no,client_request_id,terminal_id"},
		{"both targets", windowreq.Input{ClientRequestID: "a", CaseNo: "x", TerminalID: &id, PointID: &id}, "terminal_id"},
		{"bad dims", windowreq.Input{ClientRequestID: "a", CaseNo: "x", PointID: &id, ItemCode: "坏", Stage: "X",
			ApplicantType: 3, Phone: "010-1234", StaffNo: strings.Repeat("9", 33)}, "applicant_type,item_code,phone,staff_no,stage"},
	} {
		err := c.in.Validate()
		var got []string
		for k := range apperr.From(err).Fields {
			got = append(got, k)
		}
		sort.Strings(got)
		if c.fields == "" && err != nil || strings.Join(got, ",") != c.fields {
			t.Errorf("%s: fields %v (%v), want %q", c.name, got, err, c.fields)
		}
	}
}

func TestRequestAt(t *testing.T) {
	exp := time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC)
	for _, c := range []struct {
		state string
		at    time.Time
		want  string
	}{
		{windowreq.Waiting, exp.Add(-time.Second), windowreq.Waiting},
		{windowreq.Waiting, exp, windowreq.Expired},
		{windowreq.Shown, exp.Add(time.Hour), windowreq.Expired},
		{windowreq.Rated, exp.Add(time.Hour), windowreq.Rated},
	} {
		if got := (windowreq.Request{State: c.state, ExpiresAt: exp}).At(c.at).State; got != c.want {
			t.Errorf("%s at %v: %s, want %s", c.state, c.at, got, c.want)
		}
	}
}

// A hub wakes only the waiters of the published key, and stops waking
// once they stop waiting.
func TestHubWakesItsKeys(t *testing.T) {
	rdb, prefix := testutil.Redis(t)
	hub := windowreq.NewHub(rdb, prefix, nil)
	defer hub.Close()
	ctx := context.Background()
	t7, stop7, err := hub.Wait(ctx, windowreq.TerminalKey(7), windowreq.PointKey(3))
	if err != nil {
		t.Fatal(err)
	}
	t8, stop8, err := hub.Wait(ctx, windowreq.TerminalKey(8))
	if err != nil {
		t.Fatal(err)
	}
	defer stop8()
	if err := windowreq.Wake(ctx, rdb, prefix, windowreq.PointKey(3)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-t7:
	case <-time.After(3 * time.Second):
		t.Fatal("the window's waiter was not woken")
	}
	select {
	case <-t8:
		t.Fatal("another terminal's waiter was woken")
	case <-time.After(200 * time.Millisecond):
	}
	stop7()
	if err := windowreq.Wake(ctx, rdb, prefix, windowreq.TerminalKey(7)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-t7:
		t.Fatal("a waiter that stopped was woken")
	case <-time.After(200 * time.Millisecond):
	}
}
