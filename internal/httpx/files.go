package httpx

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
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

// FileTooBig is the refusal of an uploaded file over max bytes.
func FileTooBig(max int64) error {
	return apperr.InvalidField("file", fmt.Sprintf("文件超过 %d MB 上限，请拆分后分批上传", max>>20))
}

// UploadedFile reads the multipart field "file" (a CSV or .xlsx file), at
// most max bytes, and returns its content and name.
func UploadedFile(c *gin.Context, max int64) ([]byte, string, error) {
	if !strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		return nil, "", apperr.InvalidField("file", "请以 multipart/form-data 上传文件，字段名为 file")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, "", FileTooBig(max)
		}
		return nil, "", apperr.InvalidField("file", "请选择要上传的文件（CSV 或 .xlsx）")
	}
	if fh.Size > max {
		return nil, "", FileTooBig(max)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", apperr.Wrap(apperr.Internal, "服务器内部错误", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, "", apperr.InvalidField("file", "文件上传不完整，请重新上传")
	}
	if int64(len(data)) > max {
		return nil, "", FileTooBig(max)
	}
	return data, fh.Filename, nil
}
