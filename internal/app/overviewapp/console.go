package overviewapp

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/deadlines"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/notify"
	"minyi/internal/ratings"
	"minyi/internal/todos"
	"minyi/internal/units"
	"minyi/internal/users"
	"minyi/internal/workdays"
)

// periodView is a count and mean ready to show, with a link to its ratings.
type periodView struct {
	Count int
	Mean  string
	Link  string
}

type overviewRow struct {
	Unit               units.Unit
	Today, Month, Year periodView
	UnitLink           string
	// Abolished says when the unit was abolished (撤销), empty while it exists.
	Abolished string
}

type overviewPageData struct {
	httpx.BasePage
	Date               string
	Rows               []overviewRow
	Today, Month, Year periodView
	Unchecked          cappedCount
	UncheckedLink      string
	Excluded           cappedCount
	ExcludedLink       string
	// TargetWarnings counts the early warnings of the newest cycle.
	TargetWarnings     int
	TargetWarningsLink string
	// CaseOverdue counts the overdue rectification cases in scope.
	CaseOverdue feedback.OverdueCount
	// Calendar warns the office of a missing working-day calendar.
	Calendar *calendarWarning
	// DeliveryFailures counts the outbound messages that failed or were
	// given up (office only; /console/deliveries lists them).
	DeliveryFailures int
	// AuditCheck is the newest verification of the audit log's hash chain
	// (office only; nil before the first).
	AuditCheck *audit.Verification
	// Pager pages Rows; the totals above count every unit.
	Pager httpx.Pager
	// Todos are the first to-dos of the person (TodoCount in all,
	// TodoOverdue of them overdue); Backlog is the review queue's.
	Todos       []todos.Item
	TodoCount   int
	TodoOverdue int
	Backlog     *todos.Item
	// ChartsLink is the office's charts, or the unit's own for its users.
	ChartsLink string
}

// cappedCount is a count shown as "10,000+" past its limit: the overview
// never counts more than that to show a figure.
type cappedCount struct {
	N    int
	Text string
}

// countUpTo counts f's ratings up to limit, shown as "10,000+" past it.
// The overview's two counts have partial indexes of their own (see
// ratings.CountUpTo).
func countUpTo(c *gin.Context, q db.DBTX, f ratings.Filter, limit int) (cappedCount, error) {
	n, more, err := ratings.CountUpTo(c, q, f, limit)
	out := cappedCount{N: n, Text: httpx.GroupDigits(n)}
	if more {
		out.Text += "+"
	}
	return out, err
}

// calendarWarning is the overview's warning that a year's working-day
// calendar is missing: this year's at any time, next year's from
// 1 October (the State Council publishes it in November or later).
type calendarWarning struct {
	Years       string // e.g. 2027年
	Link        string // where to enter the first missing year
	Provisional int    // deadlines stored provisional so far
}

// calendarWarningFor returns the warning for the office on now's date, or
// nil when the calendar it needs is there.
func (s *Handlers) calendarWarningFor(c *gin.Context, q db.DBTX, now time.Time) (*calendarWarning, error) {
	cal, err := workdays.Load(c, q, now.Year(), now.Year()+1)
	if err != nil {
		return nil, err
	}
	years := workdays.MissingYears(cal, now)
	if len(years) == 0 {
		return nil, nil
	}
	missing := make([]string, len(years))
	for i, y := range years {
		missing[i] = strconv.Itoa(y) + "年"
	}
	first := years[0]
	n, err := deadlines.CountProvisional(c, q)
	if err != nil {
		return nil, err
	}
	return &calendarWarning{Years: strings.Join(missing, "、"), Link: "/console/workdays/new?year=" + strconv.Itoa(first), Provisional: n}, nil
}

// periodOf formats a period; link names the feed filtered to it.
func periodOf(p ratings.Period, link string) periodView {
	v := periodView{Count: p.Count, Mean: "—", Link: link}
	if p.Count > 0 {
		v.Mean = strconv.FormatFloat(p.Mean, 'f', 1, 64)
	}
	return v
}

// feedLink returns the rating feed filtered to the unit (0 for all) from
// the date on, counted ratings only.
func feedLink(unitID int64, from time.Time) string {
	q := url.Values{"from": {from.Format("2006-01-02")}, "excluded": {"false"}}
	if unitID != 0 {
		q.Set("unit_id", strconv.FormatInt(unitID, 10))
	}
	return "/console/ratings?" + q.Encode()
}

// sumPeriods adds periods, weighting each mean by its count.
func sumPeriods(ps []ratings.Period) ratings.Period {
	var out ratings.Period
	var sum float64
	for _, p := range ps {
		out.Count += p.Count
		sum += p.Mean * float64(p.Count)
	}
	if out.Count > 0 {
		out.Mean = sum / float64(out.Count)
	}
	return out
}

// overviewPageSize is how many units the overview's table shows a page:
// a province has a thousand, and rendering every one (570 kB) took longer
// than reading them.
const overviewPageSize = 100

// OverviewPage shows, per unit the user may see, the count and mean points
// today, this month and this year (a page of units at a time), with the
// totals of every unit and the ratings to review. Its reads are
// independent and run side by side, each on a connection of its own.
func (s *Handlers) OverviewPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	scope := u.UnitID // nil for the office: every unit
	page, err := httpx.ParseInt(c.Query("page"))
	if err != nil || page < 1 || page > 100_000 {
		page = 1
	}
	now := s.Now().In(s.Config.Location)
	d := overviewPageData{BasePage: s.Base(c, "概览", "overview"), Date: now.Format("2006年1月2日")}
	var list []units.Unit
	var unitCount int
	var stats map[int64]ratings.UnitStats
	var todoList []todos.Item
	reads := []func(db.DBTX) error{
		func(q db.DBTX) (err error) {
			// A unit abolished by 1 January has nothing in this year's
			// periods: it is left out (units.NotAbolishedBySQL).
			since := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			list, unitCount, page, err = units.PageUnits(c, q, scope, since, overviewPageSize, page)
			return err
		},
		func(q db.DBTX) (err error) {
			stats, err = ratings.Stats(c, q, now, s.Config.Location, scope, s.Config.LevelPoints)
			return err
		},
		// Ratings stored while Redis was down were not rate-checked; those
		// not yet excluded are the ones left to review. (ratings.Warm plans
		// both counts on every new connection.)
		func(q db.DBTX) (err error) {
			d.Unchecked, err = countUpTo(c, q, ratings.ReviewFilter(scope), ratings.ReviewCountLimit)
			return err
		},
		func(q db.DBTX) (err error) {
			d.Excluded, err = countUpTo(c, q, ratings.ExcludedFilter(scope), ratings.ExcludedCountLimit)
			return err
		},
		func(q db.DBTX) (err error) {
			d.TargetWarnings, d.TargetWarningsLink, err = s.targetWarningCount(c, q)
			return err
		},
		func(q db.DBTX) (err error) {
			d.CaseOverdue, err = feedback.OverdueTotal(c, q, scope, now)
			return err
		},
		func(q db.DBTX) (err error) { todoList, err = s.readTodos(c, q); return err },
	}
	if u.Role == users.RoleOffice {
		reads = append(reads, func(q db.DBTX) (err error) { d.Calendar, err = s.calendarWarningFor(c, q, now); return err },
			func(q db.DBTX) (err error) { d.DeliveryFailures, err = notify.CountFailures(c, q); return err },
			func(q db.DBTX) (err error) { d.AuditCheck, err = audit.LastVerification(c, q); return err })
	}
	if err := db.Parallel(s.Pool, reads...); err != nil {
		s.ConsoleError(c, err)
		return
	}
	if d.Calendar != nil {
		// The warning above says it, with the provisional deadlines.
		todoList = slices.DeleteFunc(todoList, func(it todos.Item) bool { return it.Kind == todos.KindCalendarMissing })
	}
	d.TodoCount = len(todoList)
	for i, it := range todoList {
		if it.Overdue {
			d.TodoOverdue++
		}
		if it.Kind == todos.KindReviewBacklog {
			d.Backlog = &todoList[i]
		}
	}
	d.Todos = todoList[:min(len(todoList), homeTodos)]
	day, month, year := ratings.PeriodStarts(now, s.Config.Location)
	// The totals count every unit's ratings: Stats has a row for each unit
	// with any (of the user's scope), the table only the page's units.
	var today, mon, yr []ratings.Period
	for _, st := range stats {
		today, mon, yr = append(today, st.Today), append(mon, st.Month), append(yr, st.Year)
	}
	d.Pager = httpx.NewPager(page, overviewPageSize, unitCount, func(n int) string {
		if n == 1 {
			return "/console"
		}
		return "/console?page=" + strconv.Itoa(n)
	})
	d.Pager.Unit = "个"
	for _, un := range list {
		st := stats[un.ID]
		d.Rows = append(d.Rows, overviewRow{Unit: un, UnitLink: "/console/units/" + strconv.FormatInt(un.ID, 10),
			Today: periodOf(st.Today, feedLink(un.ID, day)), Month: periodOf(st.Month, feedLink(un.ID, month)),
			Year: periodOf(st.Year, feedLink(un.ID, year)), Abolished: abolishedText(un)})
	}
	var all int64
	if scope != nil {
		all = *scope
	}
	d.Today = periodOf(sumPeriods(today), feedLink(all, day))
	d.Month = periodOf(sumPeriods(mon), feedLink(all, month))
	d.Year = periodOf(sumPeriods(yr), feedLink(all, year))
	d.ChartsLink = "/console/charts"
	if scope != nil {
		d.ChartsLink = unitChartsPath(*scope)
	}
	d.UncheckedLink = "/console/ratings?rate_checked=false&excluded=false"
	d.ExcludedLink = "/console/ratings?excluded=true"
	s.Render(c, http.StatusOK, "console/overview.html", d)
}

// abolishedText is the tag of an abolished unit (2026年3月1日撤销), empty for
// a unit that exists.
func abolishedText(u units.Unit) string {
	if u.AbolishedOn == nil {
		return ""
	}
	return units.DateText(*u.AbolishedOn) + "撤销"
}
