package ratings

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The national channel codes (pf) of the 好差评 record.
const (
	PFPC            = 1 // a PC web page
	PFApp           = 2 // a mobile app
	PFQR            = 3 // a QR code
	PFPad           = 4 // a hall tablet / pad
	PFOtherTerminal = 5 // another hall terminal
)

// pfLabels are the channel codes' Chinese names.
var pfLabels = [6]string{"", "电脑端", "移动端", "二维码", "政务服务评价器（平板）", "其他大厅终端"}

// PFLabel returns the Chinese name of a channel code, or "" when out of range.
func PFLabel(pf int) string {
	if pf < 1 || pf > 5 {
		return ""
	}
	return pfLabels[pf]
}

// PFOf is the channel code of a rating: its own when stored, else the one
// its channel maps to (qr → 3, terminal → 4), so that ratings stored before
// the column existed read without loss. PFSQL is the same rule in SQL.
func PFOf(pf *int16, channel string) int {
	if pf != nil && *pf > 0 {
		return int(*pf)
	}
	switch channel {
	case ChannelQR:
		return PFQR
	case ChannelTerminal:
		return PFPad
	}
	return 0
}

// PFSQL returns the SQL expression of a rating's channel code for the
// ratings alias a (e.g. "r"): PFOf in SQL.
func PFSQL(a string) string {
	return "coalesce(" + a + ".pf, CASE " + a + ".channel WHEN 'qr' THEN 3 WHEN 'terminal' THEN 4 END)::int"
}

// Applicant types (userProp) of the national record.
const (
	ApplicantPerson = 1 // a natural person (自然人)
	ApplicantLegal  = 2 // a legal person or other organisation (法人)
)

// ApplicantLabel returns the Chinese name of an applicant type, or "".
func ApplicantLabel(t int) string {
	switch t {
	case ApplicantPerson:
		return "自然人"
	case ApplicantLegal:
		return "法人"
	}
	return ""
}

// Dimensions are a rating's dimensions of the national record; the zero
// value is a rating without any (a stage of "" is none).
type Dimensions struct {
	ItemCode      string
	Stage         string
	PF            int
	ReasonCodes   []string
	EvaVersion    string
	ApplicantType int
}

// Limits of the dimensions' text.
const (
	MaxItemCode = 64
	MaxStage    = 20
)

var (
	itemCodeRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	stageRE    = regexp.MustCompile(`^[a-z0-9_-]{1,20}$`)
)

// ValidItemCode reports whether s has the form of a 事项编码.
func ValidItemCode(s string) bool { return itemCodeRE.MatchString(s) }

// ValidStageCode reports whether s has the form of a stage code.
func ValidStageCode(s string) bool { return stageRE.MatchString(s) }

// DimensionsInput is what a terminal or form sends of the dimensions.
type DimensionsInput struct {
	ItemCode      string   `json:"item_code"`
	Stage         string   `json:"stage"`
	PF            int      `json:"pf"`
	ApplicantType int      `json:"applicant_type"`
	ReasonCodes   []string `json:"reason_codes"`
}

// Check validates the input's form (not whether the item or stage exist:
// that is the catalogue's, see internal/items) and adds a message per bad
// field to f. allowedPF lists the channel codes the channel may send; a pf
// of 0 takes defaultPF. It returns the dimensions with the content version
// set; the codes of free reasons are added later (AddReasons), once the
// item says whether the service is online.
func (in *DimensionsInput) Check(f map[string]string, allowedPF []int, defaultPF int) Dimensions {
	in.ItemCode, in.Stage = strings.TrimSpace(in.ItemCode), strings.TrimSpace(in.Stage)
	if in.ItemCode != "" && !ValidItemCode(in.ItemCode) {
		f["item_code"] = "item_code（事项编码）须为 1–64 位字母、数字或 . _ -"
	}
	if in.Stage != "" && !ValidStageCode(in.Stage) {
		f["stage"] = "stage（办理环节）须为 1–20 位小写字母、数字或 _ -"
	}
	pf := in.PF
	if pf == 0 {
		pf = defaultPF
	} else if !slices.Contains(allowedPF, pf) {
		f["pf"] = "pf（评价渠道）须为 " + joinInts(allowedPF) + " 之一"
	}
	if in.ApplicantType != 0 && ApplicantLabel(in.ApplicantType) == "" {
		f["applicant_type"] = "applicant_type（申请人类型）须为 1（自然人）或 2（法人）"
	}
	codes := dedupe(in.ReasonCodes)
	for _, c := range codes {
		if _, ok := reasonCodeLabel(c); !ok {
			f["reason_codes"] = "reason_codes 含未知的评价内容编码“" + c + "”（当前版本 " + EvaVersion + "）"
		}
	}
	return Dimensions{ItemCode: in.ItemCode, Stage: in.Stage, PF: pf, ReasonCodes: codes, EvaVersion: EvaVersion,
		ApplicantType: in.ApplicantType}
}

// AddReasons adds the codes the free reasons map to (ReasonCodesFor) to
// the codes sent.
func (d *Dimensions) AddReasons(reasons []string, online bool) {
	for _, c := range ReasonCodesFor(reasons, online) {
		if !slices.Contains(d.ReasonCodes, c) {
			d.ReasonCodes = append(d.ReasonCodes, c)
		}
	}
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, "、")
}
