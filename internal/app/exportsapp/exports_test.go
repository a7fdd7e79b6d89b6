package exportsapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/xuri/excelize/v2"

	"minyi/internal/notify"
	"minyi/internal/secure"
	"minyi/internal/testutil/apptest"
)

// world is a server with two units, each with ratings, an office account
// (office1), a unit account of unit A (unita) and a second office account
// (office2).
type world struct {
	App          *apptest.App
	UnitA, UnitB int64
	Office, Unit *apptest.Client
	Office2      *apptest.Client
}

func newWorld(t *testing.T, env map[string]string) *world {
	t.Helper()
	app := apptest.New(t, apptest.Options{Env: env})
	w := &world{App: app}
	ctx := context.Background()
	for name, dst := range map[string]*int64{"市政务服务中心": &w.UnitA, "市公安局": &w.UnitB} {
		if err := app.Pool.QueryRow(ctx, `INSERT INTO units (name, short_code, category) VALUES ($1, $2, '社会服务类')
			RETURNING id`, name, map[string]string{"市政务服务中心": "ZWFW", "市公安局": "GAJ"}[name]).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	app.AddUser(t, "office2", "office-pass-2", "office", nil)
	app.AddUser(t, "unita", "unit-pass-1a", "unit", &w.UnitA)
	// Unit A: 30 ratings a minute apart, every third 不满意 (level 2) with
	// a call-back number; unit B: 10 ratings.
	phone := "13812345678"
	for i := 1; i <= 30; i++ {
		level, points := 5, 100.0
		var enc []byte
		var mask *string
		if i%3 == 0 {
			level, points, enc = 2, 30, app.Keys.Encrypt(phone)
			m := secure.MaskPhone(phone)
			mask = &m
		}
		if _, err := app.Pool.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, comment, phone_enc, phone_mask)
			VALUES (gen_random_uuid(), $1, 'qr', $2, $3, $4, $5, $6, $7)`, ratedAt(i), w.UnitA, level, points,
			"=留言"+strconv.Itoa(i), enc, mask); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points)
		SELECT gen_random_uuid(), now() - g * interval '1 minute', 'terminal', $1, 2, 30 FROM generate_series(1, 10) g`,
		w.UnitB); err != nil {
		t.Fatal(err)
	}
	w.Office = apptest.SignedIn(t, app, "office1", "office-pass-1")
	w.Office2 = apptest.SignedIn(t, app, "office2", "office-pass-2")
	w.Unit = apptest.SignedIn(t, app, "unita", "unit-pass-1a")
	return w
}

// base is the time of the newest rating of unit A.
var base = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func ratedAt(i int) time.Time { return base.Add(-time.Duration(i) * time.Minute) }

// get fetches path and returns the response with its body read.
func get(t *testing.T, c *apptest.Client, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := c.C.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// sheetRows opens an .xlsx and returns the rows of a sheet.
func sheetRows(t *testing.T, body []byte, sheet string) (*excelize.File, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return f, rows
}

const ratingsHead = "评价时间,单位,服务点,渠道,评价等级,分值,原因,留言,回访电话,办件编号,窗口,工号,状态,剔除理由,评价编号,事项编码,事项名称,办理环节,渠道代码,评价内容,评价内容版本,申请人类型"

// The office exports what the feed's filter selects: a workbook with the
// Chinese header, numbers as numbers, times as Excel dates, the filter and
// the time in 说明, the phone number in full (CALLBACK_ROLES=office).
func TestRatingsExportXLSX(t *testing.T) {
	w := newWorld(t, nil)
	path := "/console/ratings/export.xlsx?unit_id=" + apptest.Itoa(w.UnitA) + "&level=2&older=abc"
	res, body := get(t, w.Office, w.App.URL+path)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''%E8%AF%84%E4%BB%B7%E8%AE%B0%E5%BD%95-") ||
		!strings.Contains(cd, `filename="ratings-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, rows := sheetRows(t, body, "评价记录")
	if len(rows) != 11 || strings.Join(rows[0], ",") != ratingsHead {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	// The workbook opens on the list, not on 说明.
	if f.GetActiveSheetIndex() != 0 || f.GetSheetName(0) != "评价记录" || f.GetSheetName(1) != "说明" {
		t.Errorf("active sheet %d of %q", f.GetActiveSheetIndex(), f.GetSheetList())
	}
	for _, r := range rows[1:] {
		if r[1] != "市政务服务中心" || r[4] != "不满意" || r[8] != "13812345678" {
			t.Fatalf("row %q: another unit, level or a masked phone", r)
		}
	}
	// B2 is the newest match's time: an Excel date with a date format.
	raw, _ := f.GetCellValue("评价记录", "A2", excelizeRaw)
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("time cell %q is not a number", raw)
	}
	got, _ := excelize.ExcelDateToTime(serial, false)
	want := ratedAt(3).In(w.App.Config.Location)
	if got.Format(time.DateTime) != want.Format(time.DateTime) {
		t.Errorf("time cell %s, want %s", got, want)
	}
	style, _ := f.GetCellStyle("评价记录", "A2")
	if st, _ := f.GetStyle(style); st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "yyyy-mm-dd hh:mm:ss" {
		t.Errorf("time cell style %+v", st)
	}
	if raw, _ := f.GetCellValue("评价记录", "F2", excelize.Options{RawCellValue: true}); raw != "30" {
		t.Errorf("points cell %q", raw)
	}
	if typ, _ := f.GetCellType("评价记录", "F2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("points cell type %v, want a number", typ)
	}
	_, note := sheetRows(t, body, "说明")
	text := ""
	for _, r := range note {
		text += strings.Join(r, "：") + "\n"
	}
	for _, s := range []string{"导出内容：评价记录", "筛选条件：单位：市政务服务中心", "筛选条件：评价等级：不满意", "导出时间：", "记录条数：10"} {
		if !strings.Contains(text, s) {
			t.Errorf("说明 lacks %q:\n%s", s, text)
		}
	}
}

// A CSV starts with the byte-order mark and the statement, then the
// header and one line a rating; a text Excel would run as a formula is
// quoted with an apostrophe.
func TestRatingsExportCSV(t *testing.T) {
	w := newWorld(t, nil)
	res, body := get(t, w.Office, w.App.URL+"/api/v1/ratings/export.csv?unit_id="+apptest.Itoa(w.UnitA))
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", res.StatusCode, body)
	}
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF导出内容,评价记录\r\n")) {
		t.Fatalf("no BOM and statement: %q", body[:min(len(body), 60)])
	}
	text := string(body)
	if !strings.Contains(text, "\r\n"+ratingsHead+"\r\n") || strings.Count(text, ",市政务服务中心,") != 30 ||
		strings.Contains(text, "市公安局") {
		t.Errorf("CSV rows wrong:\n%s", text)
	}
	if !strings.Contains(text, ",'=留言3,") || !strings.Contains(text, "\r\n"+ratedAt(1).In(w.App.Config.Location).Format(time.DateTime)+",") {
		t.Errorf("CSV cells wrong:\n%s", text)
	}
}

// A unit account exports its own unit's ratings only, with the phone
// masked (not in CALLBACK_ROLES); another unit's are refused, as in the
// list.
func TestRatingsExportUnitScope(t *testing.T) {
	w := newWorld(t, nil)
	res, body := get(t, w.Unit, w.App.URL+"/console/ratings/export.csv")
	text := string(body)
	if res.StatusCode != http.StatusOK || strings.Count(text, ",市政务服务中心,") != 30 || strings.Contains(text, "市公安局") {
		t.Fatalf("unit export: %d\n%s", res.StatusCode, text)
	}
	if strings.Contains(text, "13812345678") || !strings.Contains(text, secure.MaskPhone("13812345678")) {
		t.Error("the unit's export shows the phone number in full")
	}
	for _, p := range []string{"/console/ratings/export.xlsx?unit_id=", "/api/v1/ratings/export.csv?unit_id="} {
		if res, _ := get(t, w.Unit, w.App.URL+p+apptest.Itoa(w.UnitB)); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s another unit: %d, want 403", p, res.StatusCode)
		}
	}
	if res, body := get(t, w.Unit, w.App.URL+"/api/v1/audit/export.csv"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a unit exports the audit log: %d %s", res.StatusCode, body)
	}
	if res, _ := get(t, w.Office, w.App.URL+"/console/ratings/export.csv?level=9"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad filter: %d, want 422", res.StatusCode)
	}
}

type jobReply struct {
	ID        int64  `json:"id"`
	State     string `json:"state"`
	RowsDone  int64  `json:"rows_done"`
	RowsTotal int64  `json:"rows_total"`
	Download  string `json:"download"`
	Title     string `json:"title"`
	Filter    string `json:"filter"`
}

// startWorker runs the instance's river client with the export job.
func startWorker(t *testing.T, app *apptest.App) {
	t.Helper()
	wk, err := notify.NewWorker(app.Pool, notify.Options{Workers: 2, PollInterval: 100 * time.Millisecond,
		Register: func(ws *river.Workers) error { return app.Server.RegisterJobs(ws) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := wk.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = wk.Stop(ctx)
	})
}

// waitJob polls the API until the job is no longer queued or running.
func waitJob(t *testing.T, c *apptest.Client, url string) jobReply {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, body := get(t, c, url)
		var r struct{ Job jobReply }
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("job: %s", body)
		}
		if r.Job.State == "done" || r.Job.State == "failed" {
			return r.Job
		}
	}
	t.Fatal("the export did not finish")
	return jobReply{}
}

// Over EXPORT_INLINE_MAX_ROWS an export runs in the background: the page
// goes on to 我的导出, the river worker writes the file into Postgres and
// its owner, only, downloads it.
func TestBackgroundExport(t *testing.T) {
	w := newWorld(t, map[string]string{"EXPORT_INLINE_MAX_ROWS": "5"})
	startWorker(t, w.App)
	w.Office.C.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, _ := get(t, w.Office, w.App.URL+"/console/ratings/export.xlsx?level=2")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/exports?job=") {
		t.Fatalf("start: %d %q", res.StatusCode, loc)
	}
	id := strings.TrimPrefix(strings.Split(loc, "#")[0], "/console/exports?job=")
	p := apptest.Get(t, w.Office, loc)
	if p.Status != http.StatusOK || !p.Has(`id="job-`+id+`"`) || !p.Has("评价记录") || !p.Has("评价等级：不满意") {
		t.Fatalf("我的导出: %d\n%s", p.Status, p.Body)
	}
	j := waitJob(t, w.Office, w.App.URL+"/api/v1/exports/"+id)
	if j.State != "done" || j.RowsDone != 20 || j.Download != "/api/v1/exports/"+id+"/download" {
		t.Fatalf("job %+v", j)
	}
	res, body := get(t, w.Office, w.App.URL+"/console/exports/"+id+"/download")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("download: %d", res.StatusCode)
	}
	if _, rows := sheetRows(t, body, "评价记录"); len(rows) != 21 {
		t.Errorf("the file holds %d rows, want 20 and the header", len(rows)-1)
	}
	for _, c := range []*apptest.Client{w.Office2, w.Unit} {
		for _, path := range []string{"/console/exports/" + id + "/download", "/api/v1/exports/" + id + "/download", "/api/v1/exports/" + id} {
			if res, _ := get(t, c, w.App.URL+path); res.StatusCode != http.StatusNotFound {
				t.Errorf("another user's %s: %d, want 404", path, res.StatusCode)
			}
		}
	}
	if p := apptest.Get(t, w.Office2, "/console/exports"); p.Has(`id="job-` + id + `"`) {
		t.Error("another user's 我的导出 lists the job")
	}
	// The owner, only, is told the file is ready, with a link to it.
	_, inbox := get(t, w.Office, w.App.URL+"/api/v1/notifications")
	if text := string(inbox); !strings.Contains(text, "导出文件已生成：评价记录") || !strings.Contains(text, "共20条") ||
		!strings.Contains(text, `"/console/exports?job=`+id+`#job-`+id+`"`) {
		t.Errorf("the owner's notifications: %s", text)
	}
	if _, inbox := get(t, w.Office2, w.App.URL+"/api/v1/notifications"); strings.Contains(string(inbox), "导出文件已生成") {
		t.Errorf("another office account is told of the export: %s", inbox)
	}
	// The API answers 202 with the job, which the unit then downloads.
	r := apptest.APIDo(t, w.Unit, "GET", "/api/v1/ratings/export.csv", "", "")
	var started struct{ Job jobReply }
	r.Decode(t, http.StatusAccepted, &started)
	j = waitJob(t, w.Unit, w.App.URL+"/api/v1/exports/"+strconv.FormatInt(started.Job.ID, 10))
	res, body = get(t, w.Unit, w.App.URL+j.Download)
	if res.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) ||
		strings.Count(string(body), ",市政务服务中心,") != 30 || strings.Contains(string(body), "市公安局") {
		t.Errorf("the unit's background CSV: %d\n%s", res.StatusCode, body)
	}
}

// excelizeRaw reads a cell's stored value, not its formatted text.
var excelizeRaw = excelize.Options{RawCellValue: true}
