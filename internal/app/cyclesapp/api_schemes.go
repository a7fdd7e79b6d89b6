package cyclesapp

import (
	"encoding/json"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/schemes"
)

// schemeBodyLimit is the largest scheme or computation body accepted.
const schemeBodyLimit = 256 << 10

// APISchemePresets lists the preset schemes a cycle may adopt.
func (s *Handlers) APISchemePresets(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": schemes.Presets()})
}

// schemeVersionParam reads ?version= (0 when absent: the newest).
func schemeVersionParam(c *gin.Context) (int, error) {
	v := c.Query("version")
	if v == "" {
		return 0, nil
	}
	n, err := httpx.ParseInt(v)
	if err != nil || n < 1 || n > math.MaxInt32 {
		return 0, apperr.New(apperr.NotFound, "该考核方案版本不存在")
	}
	return n, nil
}

// schemeGroupParam reads ?group= (nil when absent: the default scheme)
// and checks the group is the cycle's.
func (s *Handlers) schemeGroupParam(c *gin.Context, cycleID int64) (*int64, error) {
	v := c.Query("group")
	if v == "" {
		return nil, nil
	}
	n, err := httpx.ParseInt(v)
	if err != nil || n < 1 {
		return nil, apperr.InvalidField("group", "方案分组不存在")
	}
	id := int64(n)
	if _, err := schemes.FindGroup(c, s.Pool, cycleID, id); err != nil {
		return nil, err
	}
	return &id, nil
}

// APIGetScheme answers the cycle's scheme: the newest version, or
// ?version=N; of the default scheme, or of the group ?group=ID.
func (s *Handlers) APIGetScheme(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	n, err := schemeVersionParam(c)
	var group *int64
	if err == nil {
		group, err = s.schemeGroupParam(c, id)
	}
	var v schemes.Version
	if err == nil {
		v, err = s.findScheme(c, id, group, n)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// findScheme returns the cycle's scheme version n (0: the newest),
// answering not_found for an unknown cycle before a missing scheme.
func (s *Handlers) findScheme(c *gin.Context, cycleID int64, group *int64, n int) (schemes.Version, error) {
	v, err := schemes.FindIn(c, s.Pool, cycleID, group, n)
	if apperr.Is(err, apperr.NotFound) {
		if _, _, lerr := schemes.List(c, s.Pool, cycleID, 1, 0); lerr != nil {
			return schemes.Version{}, lerr
		}
	}
	return v, err
}

// APISetScheme stores a preset or a tree as the cycle's next scheme
// version (office only): 201 when stored, 200 when it is the same scheme
// again and nothing new was stored.
func (s *Handlers) APISetScheme(c *gin.Context) {
	var in schemes.Change
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = httpx.BindJSON(c, &in, schemeBodyLimit)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	var v schemes.Version
	changed := false
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		v, changed, err = schemes.Set(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	status := http.StatusCreated
	if !changed {
		// The same scheme again (a retry): nothing new was stored.
		status = http.StatusOK
	}
	c.JSON(status, v)
}

// APIListSchemeVersions lists the cycle's scheme versions a page at a
// time.
func (s *Handlers) APIListSchemeVersions(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	limit, offset, err := httpx.Paging(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	group, err := s.schemeGroupParam(c, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := schemes.ListIn(c, s.Pool, id, group, limit, offset)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}

// APIComputeScheme computes a preset or a tree with the inputs given,
// storing nothing: a trial of a scheme before it is saved.
func (s *Handlers) APIComputeScheme(c *gin.Context) {
	var in struct {
		Preset string                     `json:"preset"`
		Tree   *schemes.Node              `json:"tree"`
		Inputs map[string]json.RawMessage `json:"inputs"`
	}
	if err := httpx.BindJSON(c, &in, schemeBodyLimit); err != nil {
		s.APIError(c, err)
		return
	}
	// Resolve checks the tree as a save would; the name is not needed.
	_, _, tree, err := schemes.Change{Preset: in.Preset, Tree: in.Tree, Name: "试算"}.Resolve()
	var inputs map[string]schemes.Input
	if err == nil {
		inputs, err = schemes.DecodeInputs(in.Inputs)
	}
	var res schemes.Result
	if err == nil {
		res, err = schemes.Compute(tree, inputs)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
