package overviewapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/deadlines"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
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
}

// cappedCount is a count shown as "10,000+" past ratings.CountCap, or as
// "约 N" when counting would take too long and N is Postgres's estimate:
// the overview never counts more than that to show a figure.
type cappedCount struct {
	N    int
	Text string
}

// countCapped counts f's ratings up to the cap.
func (s *Handlers) countCapped(c *gin.Context, f ratings.Filter) (cappedCount, error) {
	n, exact, estimated, err := ratings.CountCapped(c, s.Pool, f)
	out := cappedCount{N: n, Text: httpx.GroupDigits(n)}
	switch {
	case estimated:
		out.Text = "约 " + out.Text
	case !exact:
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
func (s *Handlers) calendarWarningFor(c *gin.Context, now time.Time) (*calendarWarning, error) {
	cal, err := workdays.Load(c, s.Pool, now.Year(), now.Year()+1)
	if err != nil {
		return nil, err
	}
	var missing []string
	first := 0
	for _, y := range []int{now.Year(), now.Year() + 1} {
		if cal.Has(y) || (y > now.Year() && now.Month() < time.October) {
			continue
		}
		if first == 0 {
			first = y
		}
		missing = append(missing, strconv.Itoa(y)+"年")
	}
	if first == 0 {
		return nil, nil
	}
	n, err := deadlines.CountProvisional(c, s.Pool)
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

// OverviewPage shows, per unit the user may see, the count and mean points
// today, this month and this year, with totals and the ratings to review.
func (s *Handlers) OverviewPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	scope := u.UnitID // nil for the office: every unit
	list, err := units.ListUnits(c, s.Pool, scope)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	now := s.Now().In(s.Config.Location)
	stats, err := ratings.Stats(c, s.Pool, now, s.Config.Location, scope, s.Config.LevelPoints)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	day, month, year := ratings.PeriodStarts(now, s.Config.Location)
	d := overviewPageData{BasePage: s.Base(c, "概览", "overview"), Date: now.Format("2006年1月2日")}
	var today, mon, yr []ratings.Period
	for _, un := range list {
		st := stats[un.ID]
		today, mon, yr = append(today, st.Today), append(mon, st.Month), append(yr, st.Year)
		d.Rows = append(d.Rows, overviewRow{Unit: un, UnitLink: "/console/units/" + strconv.FormatInt(un.ID, 10),
			Today: periodOf(st.Today, feedLink(un.ID, day)), Month: periodOf(st.Month, feedLink(un.ID, month)),
			Year: periodOf(st.Year, feedLink(un.ID, year))})
	}
	var all int64
	if scope != nil {
		all = *scope
	}
	d.Today = periodOf(sumPeriods(today), feedLink(all, day))
	d.Month = periodOf(sumPeriods(mon), feedLink(all, month))
	d.Year = periodOf(sumPeriods(yr), feedLink(all, year))

	// Ratings stored while Redis was down were not rate-checked; those not
	// yet excluded are the ones left to review.
	review := ratings.Filter{UnitID: scope, RateChecked: httpx.Ptr(false), Excluded: httpx.Ptr(false)}
	if d.Unchecked, err = s.countCapped(c, review); err != nil {
		s.ConsoleError(c, err)
		return
	}
	if d.Excluded, err = s.countCapped(c, ratings.Filter{UnitID: scope, Excluded: httpx.Ptr(true)}); err != nil {
		s.ConsoleError(c, err)
		return
	}
	if d.TargetWarnings, d.TargetWarningsLink, err = s.targetWarningCount(c); err != nil {
		s.ConsoleError(c, err)
		return
	}
	if d.CaseOverdue, err = feedback.OverdueTotal(c, s.Pool, scope, s.Now().In(s.Config.Location)); err != nil {
		s.ConsoleError(c, err)
		return
	}
	if u.Role == users.RoleOffice {
		if d.Calendar, err = s.calendarWarningFor(c, now); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	d.UncheckedLink = "/console/ratings?rate_checked=false&excluded=false"
	d.ExcludedLink = "/console/ratings?excluded=true"
	s.Render(c, http.StatusOK, "console/overview.html", d)
}
