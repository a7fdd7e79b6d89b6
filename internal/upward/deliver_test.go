package upward_test

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"minyi/internal/audit"
	"minyi/internal/upward"
)

// Every rating stored after reporting starts is delivered exactly once,
// in signed batches, with every field of the national record.
func TestEveryRatingDeliveredOnceWithItsRecord(t *testing.T) {
	w := newWorld(t)
	if n := w.collect(); n != 0 {
		t.Fatalf("first collection made %d batches, want none (it only sets the cursor)", n)
	}
	at := time.Date(2026, 12, 4, 9, 30, 15, 0, shanghai)
	qr := w.rating("qr", 5, "窗口服务很好", "", at)
	term := w.rating("terminal", 1, "材料退回三次", "BZ2026120400017", at.Add(time.Minute))
	third := w.rating("qr", 3, "", "", at.Add(2*time.Minute))
	if n := w.collect(); n != 2 {
		t.Fatalf("collection made %d batches, want 2 (batches of 2)", n)
	}
	w.startWorker(false)
	w.waitFor("three records", func() bool { return len(w.recv.records()) == 3 })
	if n := w.collect(); n != 0 {
		t.Fatalf("a second collection made %d batches", n)
	}
	time.Sleep(300 * time.Millisecond)
	dept := func(r upward.Record) upward.Record {
		r.DeptCode, r.DeptName, r.AreaCode, r.DataSource = "11341600MB1234567X", "亳州市政务服务管理局", "341600", "DS3416"
		return r
	}
	want := []upward.Record{
		dept(upward.Record{RecordID: qr, Pf: 3, Satisfaction: 5, WritingEvaluation: "窗口服务很好", AssessTime: "2026-12-04 09:30:15"}),
		dept(upward.Record{RecordID: term, ProjectNo: "BZ2026120400017", AssessNumber: 1, Pf: 4, Satisfaction: 1,
			WritingEvaluation: "材料退回三次", AssessTime: "2026-12-04 09:31:15"}),
		dept(upward.Record{RecordID: third, Pf: 3, Satisfaction: 3, AssessTime: "2026-12-04 09:32:15"}),
	}
	got := w.recv.records()
	// Batches go out in parallel: the records in their time order.
	sort.Slice(got, func(i, j int) bool { return got[i].AssessTime < got[j].AssessTime })
	if !reflect.DeepEqual(want, got) {
		t.Errorf("records\n got %+v\nwant %+v", got, want)
	}
	for _, e := range w.recv.accepted {
		if e.PlatformCode != "PT340000" || e.Type != "rating" || e.Count != len(e.Records) {
			t.Errorf("envelope %+v", e)
		}
		if _, err := time.ParseInLocation(upward.TimeLayout, e.SentAt, shanghai); err != nil {
			t.Errorf("sentAt %q: %v", e.SentAt, err)
		}
	}
	// A record without a 办件编号 has neither projectNo nor assessNumber on
	// the wire, and the dimensions these ratings lack are left out.
	for _, raw := range w.recv.raw {
		for _, absent := range []string{"taskCode", "taskName", "evalDetail", "evaVersion", "userProp"} {
			if strings.Contains(raw, absent) {
				t.Errorf("%s on the wire: %s", absent, raw)
			}
		}
		if strings.Contains(raw, qr) && strings.Count(raw, "projectNo") != strings.Count(raw, "BZ2026120400017") {
			t.Errorf("a record without a case carries projectNo: %s", raw)
		}
	}
	w.waitFor("every batch marked sent", func() bool {
		got := w.status()
		return got.Sent == 3 && got.Waiting == 0 && got.Retrying == 0 && got.GivenUp == 0
	})
}

// A receiver that fails for now gets the batch again; one that refuses it
// gives it up, and the office's resend delivers it.
func TestFailedBatchRetriedAndResent(t *testing.T) {
	w := newWorld(t)
	w.collect()
	w.recv.fail = []int{503, 502}
	id := w.rating("qr", 4, "", "", time.Now().Add(-time.Hour))
	w.collect()
	w.startWorker(false)
	w.waitFor("the retried batch", func() bool { return len(w.recv.records()) == 1 })
	var attempts int
	if err := w.pool.QueryRow(w.ctx, `SELECT attempts FROM upward_batches`).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 3 || w.recv.records()[0].RecordID != id {
		t.Errorf("attempts %d, records %+v", attempts, w.recv.records())
	}

	w.recv.mu.Lock()
	w.recv.fail = []int{400}
	w.recv.mu.Unlock()
	second := w.rating("terminal", 2, "", "", time.Now().Add(-time.Minute))
	w.collectWhileWorking("the second rating")
	w.waitFor("the refused batch given up", func() bool { return w.status().GivenUp == 1 })
	fails, err := upward.Failures(w.ctx, w.pool, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fails) != 1 || !fails[0].CanResend() || fails[0].Reason() != "接收方拒绝了消息，请检查地址和密钥配置" {
		t.Fatalf("failures %+v (reason %q)", fails, fails[0].Reason())
	}
	if err := upward.Resend(w.ctx, w.pool, audit.System, fails[0].ID); err != nil {
		t.Fatal(err)
	}
	w.waitFor("the resent batch", func() bool { return len(w.recv.records()) == 2 })
	if got := w.recv.records()[1].RecordID; got != second {
		t.Errorf("resent record %s, want %s", got, second)
	}
	// The receiver has the record before the worker marks the batch sent.
	w.waitFor("both batches sent", func() bool {
		got := w.status()
		return got.Sent == 2 && got.GivenUp == 0 && got.Waiting == 0 && got.Retrying == 0
	})
	if err := upward.Resend(w.ctx, w.pool, audit.System, fails[0].ID); err == nil {
		t.Error("a sent batch was resent")
	}
}

// A terminal that replays ratings of days ago, after later ones went up,
// still has them delivered: the cursor follows ingest, not rated_at.
func TestLateRatingStillDelivered(t *testing.T) {
	w := newWorld(t)
	w.collect()
	w.rating("qr", 5, "", "", time.Now().Add(-time.Minute))
	w.collect()
	old := time.Date(2026, 11, 28, 23, 59, 59, 0, shanghai)
	late := w.rating("terminal", 4, "离线补传", "BZ-OLD-1", old)
	w.collect()
	w.startWorker(false)
	w.waitFor("both records", func() bool { return len(w.recv.records()) == 2 })
	var got upward.Record
	for _, r := range w.recv.records() {
		if r.RecordID == late {
			got = r
		}
	}
	if got.AssessTime != "2026-11-28 23:59:59" || got.ProjectNo != "BZ-OLD-1" {
		t.Errorf("late record %+v", got)
	}
}

// A 差评's case, once closed, sends its rectification result with the
// rating's record; a case still open sends nothing.
func TestRectificationRecordAfterCaseCloses(t *testing.T) {
	w := newWorld(t)
	w.o.Batch = 10
	w.collect()
	at := time.Date(2026, 12, 1, 14, 0, 0, 0, shanghai)
	bad := w.rating("terminal", 1, "等了两个小时", "BZ77", at)
	var caseID int64
	err := w.pool.QueryRow(w.ctx, `WITH c AS (
			INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem, status, explanation, measures)
			VALUES ($1, 'rating', $2, '等候时间长', 'done_reported', '高峰期窗口不足', '增开两个综合窗口')
			RETURNING id),
		s AS (INSERT INTO case_sources (case_id, source_kind, source_id) SELECT id, 'rating', $2 FROM c),
		r AS (INSERT INTO feedback_reviews (source_kind, source_id, unit_id, verdict, case_id, rated_at)
			SELECT 'rating', $2, $1, 'valid', id, $3 FROM c)
		SELECT id FROM c`, w.unit, bad, at).Scan(&caseID)
	if err != nil {
		t.Fatal(err)
	}
	w.collect()
	w.startWorker(false)
	w.waitFor("the rating's record", func() bool { return len(w.recv.records()) == 1 })
	closed := time.Now()
	if _, err := w.pool.Exec(w.ctx, `UPDATE rectification_cases SET status = 'closed', closed_at = $2,
		done_note = '已增开窗口，高峰等候降至20分钟' WHERE id = $1`, caseID, closed); err != nil {
		t.Fatal(err)
	}
	if n := w.collectWhileWorking("the closed case"); n != 1 {
		t.Fatalf("collection after closing made %d batches", n)
	}
	w.waitFor("the rectification record", func() bool { return len(w.recv.records()) == 2 })
	env := w.recv.accepted[1]
	if env.Type != "rectification" {
		t.Errorf("type %q", env.Type)
	}
	want := upward.Record{RecordID: itoa(caseID) + "-" + bad, ProjectNo: "BZ77", AssessNumber: 1, Pf: 4, Satisfaction: 1,
		WritingEvaluation: "等了两个小时", AssessTime: "2026-12-01 14:00:00", DeptCode: "11341600MB1234567X",
		DeptName: "亳州市政务服务管理局", AreaCode: "341600", DataSource: "DS3416", Answer: "高峰期窗口不足",
		Rectification: "增开两个综合窗口\n已增开窗口，高峰等候降至20分钟", RectifyTime: closed.In(shanghai).Format(upward.TimeLayout)}
	if !reflect.DeepEqual(want, env.Records[0]) {
		t.Errorf("rectification record\n got %+v\nwant %+v", env.Records[0], want)
	}
	if n := w.collect(); n != 0 {
		t.Errorf("the closed case was batched again (%d)", n)
	}
}

// The periodic job collects on its own.
func TestPeriodicCollection(t *testing.T) {
	w := newWorld(t)
	w.o.Interval = 200 * time.Millisecond
	w.collect()
	w.rating("qr", 5, "", "", time.Now())
	w.startWorker(true)
	w.waitFor("the periodic delivery", func() bool { return len(w.recv.records()) == 1 })
}

// A key that is not an SM2 private key is refused by name.
func TestParsePrivateKeyRefusesOtherKeys(t *testing.T) {
	if _, err := upward.ParsePrivateKey([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")); err == nil ||
		!strings.Contains(err.Error(), "SM2") {
		t.Errorf("err %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A batch whose ratings have left the database (their month archived) is
// not sent empty: it fails in words, to be resent once restored.
func TestBatchOfArchivedRatingsFailsInWords(t *testing.T) {
	w := newWorld(t)
	w.collect()
	id := w.rating("qr", 5, "", "", time.Now())
	w.collect()
	if _, err := w.pool.Exec(w.ctx, `DELETE FROM ratings WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	w.startWorker(false)
	w.waitFor("the batch given up", func() bool { return w.status().GivenUp == 1 })
	fails, err := upward.Failures(w.ctx, w.pool, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fails) != 1 || fails[0].Reason() != upward.ErrArchived.Error() || w.recv.tries != 0 {
		t.Errorf("failures %+v, %d tries", fails, w.recv.tries)
	}
}

// A rating with the record's dimensions (migration 0082) carries them: the
// 事项's code and name, the stage's position as assessNumber, the channel
// code it was stored with, its reason codes with their version and the
// applicant type.
func TestRecordCarriesTheDimensions(t *testing.T) {
	w := newWorld(t)
	w.collect()
	if _, err := w.pool.Exec(w.ctx, `INSERT INTO service_items (unit_id, code, name) VALUES ($1, '11341600MB0001-001', '不动产登记')`,
		w.unit); err != nil {
		t.Fatal(err)
	}
	id := w.rating("terminal", 2, "材料退回三次", "BZ2026120400099", time.Now().Add(-time.Hour))
	if _, err := w.pool.Exec(w.ctx, `UPDATE ratings SET item_code = '11341600MB0001-001', stage = '3', pf = 5,
		reason_codes = '{101,103}', eva_version = '2020', applicant_type = 2 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	w.collect()
	w.startWorker(false)
	w.waitFor("the record", func() bool { return len(w.recv.records()) == 1 })
	got := w.recv.records()[0]
	if got.TaskCode != "11341600MB0001-001" || got.TaskName != "不动产登记" || got.AssessNumber != 3 || got.Pf != 5 ||
		strings.Join(got.EvalDetail, ",") != "101,103" || got.EvaVersion != "2020" || got.UserProp != "2" ||
		got.ProjectNo != "BZ2026120400099" {
		t.Errorf("record %+v", got)
	}
}
