package itemsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/items"
)

// APIList lists service items: ?unit_id= (a unit's user always gets its
// own), ?q= words of the code or name, ?retired=1 to include retired
// items, ?limit= (default 100) and ?offset=.
func (s *Handlers) APIList(c *gin.Context) {
	f, err := filterOf(c, c.Query("unit_id"))
	limit, offset, perr := httpx.Paging(c)
	if err == nil {
		err = perr
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	if limit == 0 {
		limit = 100
	}
	list, total, err := items.ListItems(c, s.Pool, f, limit, offset)
	if err != nil {
		s.APIError(c, err)
		return
	}
	if list == nil {
		list = []items.Item{}
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}

// APIImport imports an item list sent as JSON: {"filename": "事项.xlsx",
// "content": "<base64 of the file>", "unit_id": 12}. unit_id is optional
// for the office (the file then names each row's unit); a unit's user
// imports into its own unit only.
func (s *Handlers) APIImport(c *gin.Context) {
	var b struct {
		Filename string `json:"filename"`
		Content  string `json:"content"`
		UnitID   *int64 `json:"unit_id"`
	}
	if err := httpx.BindJSON(c, &b, items.MaxFileBytes*4/3+64<<10); err != nil {
		s.APIError(c, err)
		return
	}
	data, err := httpx.Base64File(b.Content, items.MaxFileBytes)
	if err != nil {
		s.APIError(c, err)
		return
	}
	unitID := b.UnitID
	if own := httpx.CurrentUser(c).UnitID; own != nil {
		unitID = own
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return items.ImportItems(c, tx, httpx.CurrentUser(c).Actor(), unitID, b.Filename, data)
	})
}

// APIStages lists the rating stages, retired ones too.
func (s *Handlers) APIStages(c *gin.Context) {
	list, err := items.ListStages(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// filterOf reads a list's filter: the unit (forced to a unit user's own),
// ?q= and ?retired=1.
func filterOf(c *gin.Context, unit string) (items.Filter, error) {
	f := items.Filter{Words: c.Query("q"), Retired: c.Query("retired") == "1"}
	if own := httpx.CurrentUser(c).UnitID; own != nil {
		f.UnitID = own
		return f, nil
	}
	if unit != "" {
		n, err := httpx.ParseInt(unit)
		if err != nil || n <= 0 {
			return f, apperr.InvalidField("unit_id", "unit_id 须为单位编号")
		}
		id := int64(n)
		f.UnitID = &id
	}
	return f, nil
}
