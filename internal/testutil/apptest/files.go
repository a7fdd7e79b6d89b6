package apptest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// MultipartBody returns a form with the file in the field "file" and the
// other fields, and its Content-Type.
func MultipartBody(t *testing.T, filename string, data []byte, fields map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// PostFile uploads a file as the console's import form does.
func PostFile(t *testing.T, c *Client, path, filename string, data []byte) Page {
	t.Helper()
	return PostMultipart(t, c, path, map[string]string{}, filename, data)
}

// PostMultipart submits a console form with a file in field "file".
func PostMultipart(t *testing.T, c *Client, path string, fields map[string]string, filename string, data []byte) Page {
	t.Helper()
	fields["_csrf"] = CSRF(t, c, "/console")
	body, ctype := MultipartBody(t, filename, data, fields)
	req, _ := http.NewRequest("POST", c.App.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	return SendPage(t, c, req)
}

// TestPNG is the start of a PNG file, enough for the upload checks.
var TestPNG = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
