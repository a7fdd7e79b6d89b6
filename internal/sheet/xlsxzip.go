package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"
)

// Relationship types of the workbook part, transitional and strict.
var officeDocumentTypes = []string{
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
	"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
}

// maxIndexPart bounds the small parts read to find the first worksheet
// (the relationships and workbook.xml); Excel writes them in kilobytes.
const maxIndexPart = 1 << 20

// checkZip checks the sizes the zip declares against the limits and
// returns the first worksheet's part, found as excelize finds it: the
// package's officeDocument relationship names the workbook, whose first
// <sheet> names the worksheet by its relationship id.
func checkZip(data []byte) (*zip.File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) > maxParts {
		return nil, fail(msgBroken)
	}
	parts := make(map[string]*zip.File, len(zr.File))
	var total uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > uint64(maxUnzipped) {
			return nil, fail(msgUnzipped)
		}
		if total += f.UncompressedSize64; total > uint64(maxUnzipped) {
			return nil, fail(msgUnzipped)
		}
		parts[strings.ReplaceAll(f.Name, "\\", "/")] = f
	}
	var root relationships
	if err := readIndexPart(parts["_rels/.rels"], &root); err != nil {
		return nil, err
	}
	book := ""
	for _, r := range root.List {
		for _, t := range officeDocumentTypes {
			if r.Type == t && book == "" {
				book = strings.TrimPrefix(r.Target, "/")
			}
		}
	}
	var wb workbookXML
	if err := readIndexPart(parts[book], &wb); err != nil {
		return nil, err
	}
	if len(wb.Sheets) == 0 {
		return nil, fail(msgBroken)
	}
	relsPath := strings.TrimPrefix(path.Dir(book)+"/_rels/"+path.Base(book)+".rels", "./")
	var rels relationships
	if err := readIndexPart(parts[relsPath], &rels); err != nil {
		return nil, err
	}
	for _, r := range rels.List {
		if r.ID != wb.Sheets[0].RelID {
			continue
		}
		target := strings.ReplaceAll(r.Target, "\\", "/")
		name := path.Clean(path.Dir(book) + "/" + target)
		if strings.HasPrefix(target, "/") {
			name = path.Clean(target)
		}
		sheet := parts[strings.TrimPrefix(name, "/")]
		switch {
		case sheet == nil:
			return nil, fail(msgBroken)
		case sheet.UncompressedSize64 > uint64(maxSheetXML):
			return nil, fail(msgUnzipped)
		}
		return sheet, nil
	}
	return nil, fail(msgBroken)
}

type relationships struct {
	List []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type workbookXML struct {
	Sheets []struct {
		// RelID is the r:id attribute, whichever prefix names its namespace.
		RelID string `xml:"id,attr"`
	} `xml:"sheets>sheet"`
}

// readIndexPart decodes one of the small parts that lead to the worksheet.
func readIndexPart(f *zip.File, v any) error {
	if f == nil || f.UncompressedSize64 > maxIndexPart {
		return fail(msgBroken)
	}
	rc, err := f.Open()
	if err != nil {
		return fail(msgBroken)
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fail(msgBroken)
	}
	return nil
}

// mergedCells streams the worksheet and returns its merged ranges. Most
// worksheets have none: a plain byte scan for "mergeCell" settles that
// quickly, and only a worksheet that has the word is decoded as XML.
func mergedCells(ctx context.Context, sheet *zip.File) (merges, error) {
	var m merges
	found, err := containsBytes(sheet, []byte("mergeCell"))
	if err != nil || !found {
		return m, err
	}
	rc, err := sheet.Open()
	if err != nil {
		return m, fail(msgBroken)
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for n := 1; ; n++ {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return m, fail(msgBroken)
		}
		if n%4096 == 0 && ctx.Err() != nil {
			return m, errTooSlow
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "mergeCell" {
			for _, a := range se.Attr {
				if a.Name.Local == "ref" && len(m.refs) < 3 {
					m.refs = append(m.refs, a.Value)
				}
			}
			m.count++
		}
	}
}

// containsBytes reports whether the unpacked part contains word, reading
// it in chunks.
func containsBytes(f *zip.File, word []byte) (bool, error) {
	rc, err := f.Open()
	if err != nil {
		return false, fail(msgBroken)
	}
	defer rc.Close()
	buf := make([]byte, 64<<10)
	keep := 0 // bytes carried over from the previous chunk, so a word split between chunks is found
	for {
		n, err := rc.Read(buf[keep:])
		end := keep + n
		if bytes.Contains(buf[:end], word) {
			return true, nil
		}
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, fail(msgBroken)
		}
		keep = min(end, len(word)-1)
		copy(buf, buf[end-keep:end])
	}
}
