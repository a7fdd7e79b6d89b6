package surveysapp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/notify"
	"minyi/internal/surveys"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// Two days before an open survey closes with respondents who have not
// answered, the office is told once how many; not earlier, not for a
// survey everyone answered, not again on the next run.
func TestSurveyClosingNotice(t *testing.T) {
	v := fixtures.NewInvitee(t, apptest.Options{}, true)
	v.OpenSurvey(t, v.Survey.ID)
	closes := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	if _, err := v.App.Pool.Exec(t.Context(), `UPDATE surveys SET closes_at = $2 WHERE id = $1`, v.Survey.ID, closes); err != nil {
		t.Fatal(err)
	}
	run := func(now time.Time) int {
		t.Helper()
		n, err := surveys.SendClosingNotices(t.Context(), v.App.Pool, now, v.App.Config.Location)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run(time.Now()); n != 0 {
		t.Fatalf("three days ahead: %d", n)
	}
	if n := run(closes.Add(-47 * time.Hour)); n != 1 {
		t.Fatalf("two days ahead: %d", n)
	}
	if n := run(closes.Add(-time.Hour)); n != 0 {
		t.Fatalf("again: %d", n)
	}
	var p notify.Page
	apptest.APIJSON(t, v.Office, "GET", "/api/v1/notifications", nil).Decode(t, http.StatusOK, &p)
	if len(p.Items) != 1 || p.Items[0].Kind != surveys.NoticeClosing || !strings.Contains(p.Items[0].Body, "1名受访人中尚有1名未提交") ||
		p.Items[0].Link != "/console/surveys/"+apptest.Itoa(v.Survey.ID)+"#respondents" {
		t.Fatalf("office notices: %+v", p.Items)
	}
	// Everyone answered: nothing to tell.
	if _, err := v.App.Pool.Exec(t.Context(), `UPDATE survey_respondents SET status = 'submitted', submitted_at = now();
		UPDATE surveys SET closes_at = closes_at + interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	if n := run(closes.Add(-time.Hour)); n != 0 {
		t.Fatalf("all submitted: %d", n)
	}
}
