package httpx

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
)

// FormFile reads the optional file of a multipart form field, of at most
// max bytes (else invalid on the field with tooBig): ok is false when
// none was chosen.
func FormFile(c *gin.Context, field string, max int64, tooBig string) (name string, data []byte, ok bool, err error) {
	fh, ferr := c.FormFile(field)
	if ferr != nil || fh.Size == 0 {
		return "", nil, false, nil
	}
	data, err = ReadFormFile(fh, field, max, tooBig)
	if err != nil {
		return "", nil, false, err
	}
	return fh.Filename, data, true, nil
}

// ReadFormFile reads an uploaded file of a form field, refusing one over
// max bytes as invalid on the field with the message tooBig.
func ReadFormFile(fh *multipart.FileHeader, field string, max int64, tooBig string) ([]byte, error) {
	if fh.Size > max {
		return nil, apperr.InvalidField(field, tooBig)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.InvalidField(field, "文件读取失败，请重新上传")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, apperr.InvalidField(field, "文件读取失败，请重新上传")
	}
	return data, nil
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

// Base64File decodes a file an API request sends base64-encoded in its
// JSON field "content" (staff requests are JSON). It returns invalid on
// "content" when the text is not base64 and FileTooBig past max bytes.
func Base64File(content string, max int64) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(content)
	switch {
	case err != nil:
		return nil, apperr.InvalidField("content", "content 须为文件内容的 Base64 编码")
	case int64(len(data)) > max:
		return nil, FileTooBig(max)
	}
	return data, nil
}
