package ratingsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/items"
	"minyi/internal/ratings"
	"minyi/internal/units"
)

// qrDims is what a QR code's link names of the record: a service item
// (?item=, its 事项编码) and a stage (?stage=), both optional, carried by
// the form as hidden fields, with their names for the page.
type qrDims struct {
	Item, ItemName   string
	Stage, StageName string
	online           bool
}

// qrHint ends a message about a QR link's item or stage.
const qrHint = "，请扫描现场张贴的二维码或联系工作人员。"

// readQRDims checks the item and stage a QR link or form names against the
// unit's catalogue (one query, none when neither is named). A problem
// comes back as a Chinese message for the citizen.
func (s *Handlers) readQRDims(c *gin.Context, t units.CodeTarget, item, stage string) (qrDims, string, error) {
	return s.readDims(c, t, item, stage, qrHint)
}

// readDims is readQRDims with the hint that ends a problem's message
// (where the citizen gets a right link).
func (s *Handlers) readDims(c *gin.Context, t units.CodeTarget, item, stage, hint string) (qrDims, string, error) {
	d := qrDims{Item: item, Stage: stage}
	if item == "" && stage == "" {
		return d, "", nil
	}
	if (item != "" && !ratings.ValidItemCode(item)) || (stage != "" && !ratings.ValidStageCode(stage)) {
		return d, "该评价链接中的事项或办理环节有误" + hint, nil
	}
	known, err := items.Lookup(c, s.Pool, t.UnitID, []string{item}, []string{stage})
	if err != nil {
		return d, "", err
	}
	if p := known.Problem(item, stage, s.Now()); p != nil {
		msg := p["item_code"]
		if msg == "" {
			msg = p["stage"]
		}
		return d, msg + hint, nil
	}
	d.ItemName, d.StageName, d.online = known.ItemName(item), known.StageName(stage), known.Online(item)
	return d, "", nil
}

// dimensions are the rating's dimensions: the named item and stage, the
// QR channel code, the codes the form's reasons map to, the content
// version and the applicant type the citizen chose.
func (d qrDims) dimensions(in ratings.QRInput) ratings.Dimensions {
	dims := ratings.Dimensions{ItemCode: d.Item, Stage: d.Stage, PF: ratings.PFQR, EvaVersion: ratings.EvaVersion,
		ApplicantType: in.Applicant}
	dims.AddReasons(in.Reasons, d.online)
	return dims
}

// badDimsPage answers a rating link naming an unknown or retired item or
// stage.
func (s *Handlers) badDimsPage(c *gin.Context, msg string) {
	s.ErrorPage(c, http.StatusNotFound, "评价事项无效", msg)
}
