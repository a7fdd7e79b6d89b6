package httpx

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// XLSXType is the media type of an .xlsx workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Attachment sets Content-Disposition for a download named name, with an
// ASCII fallback for old clients (RFC 6266, RFC 5987).
func Attachment(c *gin.Context, fallback, name string) {
	c.Header("Content-Disposition", `attachment; filename="`+fallback+`"; filename*=UTF-8''`+rfc5987(name))
}

// rfc5987 percent-encodes s as an RFC 5987 value: every byte but the
// attr-chars is escaped.
func rfc5987(s string) string {
	const keep = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < 0x80 && (ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
			strings.IndexByte(keep, ch) >= 0) {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// ExportLinks are a list page's export buttons (导出 Excel / 导出 CSV): the
// list's export routes with the filter the page shows, and no paging.
type ExportLinks struct{ XLSX, CSV string }

// exportDrop are the parameters of a list's paging and messages, which an
// export ignores.
var exportDrop = []string{"older", "newer", "cursor", "page", "limit", "offset", "msg", "before", "after"}

// NewExportLinks returns the export links of the list at path (e.g.
// "/console/ratings") for the filter q.
func NewExportLinks(path string, q url.Values) ExportLinks {
	v := url.Values{}
	for k, vals := range q {
		if !slices.Contains(exportDrop, k) {
			v[k] = vals
		}
	}
	suffix := ""
	if len(v) > 0 {
		suffix = "?" + v.Encode()
	}
	return ExportLinks{XLSX: path + "/export.xlsx" + suffix, CSV: path + "/export.csv" + suffix}
}
