package itemsapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/items"
	"minyi/internal/units"
)

// pageSize is how many items the console lists a page.
const pageSize = 50

type itemsPageData struct {
	httpx.BasePage
	Units   []units.Unit
	UnitID  int64
	Words   string
	Retired bool
	Rows    []items.Item
	Total   int
	Pager   httpx.Pager
	// Form and Errors refill the form adding an item.
	Form   items.Input
	Errors map[string]string
	// Import is the report of the import just made, ImportErr why a file
	// could not be read.
	Import    *items.ImportReport
	ImportErr string
	// The stages and the form adding or changing one (stages.go).
	Stages    []items.Stage
	StageForm items.StageInput
	StageErrs map[string]string
}

// ListPage lists the service items the user may see: a unit's user its
// own, the office every unit's, filtered by unit and words, with the
// office's forms to add and import items and to set the stages.
func (s *Handlers) ListPage(c *gin.Context) { s.showList(c, http.StatusOK, nil) }

func (s *Handlers) showList(c *gin.Context, status int, edit func(*itemsPageData)) {
	d := itemsPageData{BasePage: s.Base(c, "服务事项", "units"), Words: strings.TrimSpace(c.Query("q")),
		Retired: c.Query("retired") == "1"}
	f, err := filterOf(c, c.Query("unit"))
	if err != nil {
		f.UnitID = nil
	}
	f.Words, f.Retired = d.Words, d.Retired
	if f.UnitID != nil {
		d.UnitID = *f.UnitID
	}
	page := httpx.PageParam(c)
	d.Rows, d.Total, err = items.ListItems(c, s.Pool, f, pageSize, (page-1)*pageSize)
	if err == nil {
		d.Units, err = units.ListUnits(c, s.Pool, httpx.CurrentUser(c).UnitID)
	}
	if err == nil && d.Office {
		d.Stages, err = items.ListStages(c, s.Pool)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Pager = httpx.NewPager(page, pageSize, d.Total, func(p int) string { return listURL(d.UnitID, d.Words, d.Retired, p) })
	d.Pager.Unit = "项"
	d.Form.UnitID = d.UnitID
	d.StageForm.Position = len(d.Stages) + 1
	if edit != nil {
		edit(&d)
	}
	s.Render(c, status, "console/items.html", d)
}

// listURL is the list page with its filter and page.
func listURL(unitID int64, words string, retired bool, page int) string {
	q := url.Values{}
	if unitID > 0 {
		q.Set("unit", strconv.FormatInt(unitID, 10))
	}
	if words != "" {
		q.Set("q", words)
	}
	if retired {
		q.Set("retired", "1")
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/console/items"
	}
	return "/console/items?" + q.Encode()
}

// CreateSubmit adds an item from the list page's form.
func (s *Handlers) CreateSubmit(c *gin.Context) {
	in := items.Input{Code: c.PostForm("code"), Name: c.PostForm("name"), Online: c.PostForm("online") == "1"}
	if n, err := httpx.ParseInt(c.PostForm("unit_id")); err == nil {
		in.UnitID = int64(n)
	}
	var it items.Item
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		it, err = items.CreateItem(c, tx, httpx.CurrentUser(c).Actor(), in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showList(c, http.StatusUnprocessableEntity, func(d *itemsPageData) { d.Form, d.Errors = in, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, listURL(it.UnitID, "", false, 1), "item_created")
}

// ImportSubmit imports an item list and shows its report on the list
// page; a file that cannot be read shows why.
func (s *Handlers) ImportSubmit(c *gin.Context) {
	data, name, err := httpx.UploadedFile(c, items.MaxFileBytes)
	var unitID *int64
	if n, perr := httpx.ParseInt(c.PostForm("unit_id")); perr == nil && n > 0 {
		id := int64(n)
		unitID = &id
	}
	var rep items.ImportReport
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			rep, err = items.ImportItems(c, tx, httpx.CurrentUser(c).Actor(), unitID, name, data)
			return err
		})
	}
	// Unavailable is the sheet reader's "busy": the page says so.
	if e := apperr.From(err); err != nil && (e.Code == apperr.Invalid || e.Code == apperr.Unavailable) {
		msg := e.Message
		if m := e.Fields["file"]; m != "" {
			msg = m
		}
		s.showList(c, apperr.Status(e.Code), func(d *itemsPageData) { d.ImportErr = msg })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showList(c, http.StatusOK, func(d *itemsPageData) { d.Import = &rep })
}

// TemplateDownload downloads a CSV template of an item list.
func (s *Handlers) TemplateDownload(c *gin.Context) {
	httpx.Attachment(c, "service-items-template.csv", "服务事项导入模板.csv")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(items.ImportTemplate("")))
}

type itemPageData struct {
	httpx.BasePage
	Item   items.Item
	Form   items.Input
	Errors map[string]string
}

// visibleItem loads the item of the id path parameter; not_found for one
// the user may not see.
func (s *Handlers) visibleItem(c *gin.Context) (items.Item, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return items.Item{}, apperr.New(apperr.NotFound, "事项不存在")
	}
	it, err := items.FindItem(c, s.Pool, id)
	if own := httpx.CurrentUser(c).UnitID; err == nil && own != nil && *own != it.UnitID {
		return items.Item{}, apperr.New(apperr.NotFound, "事项不存在")
	}
	return it, err
}

// ItemPage shows an item with the office's form to rename it and to retire
// or restore it.
func (s *Handlers) ItemPage(c *gin.Context) {
	it, err := s.visibleItem(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "console/item.html", itemPageData{BasePage: s.Base(c, it.Name, "units"), Item: it,
		Form: items.Input{UnitID: it.UnitID, Code: it.Code, Name: it.Name, Online: it.Online}})
}

// UpdateSubmit renames an item and sets its kind.
func (s *Handlers) UpdateSubmit(c *gin.Context) {
	it, err := s.visibleItem(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	name, online := c.PostForm("name"), c.PostForm("online") == "1"
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := items.UpdateItem(c, tx, httpx.CurrentUser(c).Actor(), it.ID, name, online)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.Render(c, http.StatusUnprocessableEntity, "console/item.html", itemPageData{BasePage: s.Base(c, it.Name, "units"),
			Item: it, Form: items.Input{UnitID: it.UnitID, Code: it.Code, Name: name, Online: online}, Errors: errs})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/items/"+strconv.FormatInt(it.ID, 10), "item_saved")
}

// RetireSubmit retires the item; RestoreSubmit puts it back.
func (s *Handlers) RetireSubmit(c *gin.Context)  { s.setRetired(c, true) }
func (s *Handlers) RestoreSubmit(c *gin.Context) { s.setRetired(c, false) }

func (s *Handlers) setRetired(c *gin.Context, retired bool) {
	it, err := s.visibleItem(c)
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := items.SetItemRetired(c, tx, httpx.CurrentUser(c).Actor(), it.ID, retired)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "item_restored"
	if retired {
		flash = "item_retired"
	}
	httpx.Redirect(c, "/console/items/"+strconv.FormatInt(it.ID, 10), flash)
}
