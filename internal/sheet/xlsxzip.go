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
// returns the first worksheet's part, found as excelize finds it (the
// package's officeDocument relationship names the workbook, whose first
// <sheet> names the worksheet by its relationship id), and the shared
// strings' part, nil when there is none.
func checkZip(data []byte) (sheet, sharedStrings *zip.File, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) > maxParts {
		return nil, nil, fail(msgBroken)
	}
	parts := make(map[string]*zip.File, len(zr.File))
	var total uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > uint64(maxUnzipped) {
			return nil, nil, fail(msgUnzipped)
		}
		if total += f.UncompressedSize64; total > uint64(maxUnzipped) {
			return nil, nil, fail(msgUnzipped)
		}
		name := strings.ReplaceAll(f.Name, "\\", "/")
		parts[name] = f
		if strings.EqualFold(name, "xl/sharedStrings.xml") {
			sharedStrings = f
		}
	}
	var root relationships
	if err := readIndexPart(parts["_rels/.rels"], &root); err != nil {
		return nil, nil, err
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
		return nil, nil, err
	}
	if len(wb.Sheets) == 0 {
		return nil, nil, fail(msgBroken)
	}
	relsPath := strings.TrimPrefix(path.Dir(book)+"/_rels/"+path.Base(book)+".rels", "./")
	var rels relationships
	if err := readIndexPart(parts[relsPath], &rels); err != nil {
		return nil, nil, err
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
		sheet = parts[strings.TrimPrefix(name, "/")]
		switch {
		case sheet == nil:
			return nil, nil, fail(msgBroken)
		case sheet.UncompressedSize64 > uint64(maxSheetXML):
			return nil, nil, fail(msgUnzipped)
		}
		return sheet, sharedStrings, nil
	}
	return nil, nil, fail(msgBroken)
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

// mergedCells decodes the worksheet as XML and returns its merged ranges.
func mergedCells(ctx context.Context, sheet *zip.File) (merges, error) {
	var m merges
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

// partScan is what a byte scan of a part found.
type partScan struct {
	merged bool // a <mergeCell> element
	// longText is a text longer than maxRunBytes; cell is the r attribute
	// of the last <c> element before it ("" when none).
	longText bool
	cell     string
}

// scanPart reads a part's unpacked bytes once, without decoding XML: it
// notes <mergeCell> elements, and stops at a text (the bytes between two
// tags) longer than maxRun, which no cell within the limits has. Decoding
// such a text, as excelize does, takes seconds and hundreds of MB.
func scanPart(f *zip.File, maxRun int) (partScan, error) {
	var s partScan
	rc, err := f.Open()
	if err != nil {
		return s, fail(msgBroken)
	}
	defer rc.Close()
	buf := make([]byte, 64<<10)
	tag := make([]byte, 0, 64) // the start of the tag being read
	inTag, run := false, 0
	for {
		n, err := rc.Read(buf)
		for _, b := range buf[:n] {
			switch {
			case inTag && b == '>':
				inTag = false
				s.noteTag(tag)
			case inTag:
				if len(tag) < cap(tag) {
					tag = append(tag, b)
				}
			case b == '<':
				inTag, tag, run = true, tag[:0], 0
			default:
				if run++; run > maxRun {
					s.longText = true
					return s, nil
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return s, fail(msgBroken)
		}
	}
}

// noteTag takes the start of a tag (without "<" and ">"): a <mergeCell>,
// or a cell's reference.
func (s *partScan) noteTag(tag []byte) {
	name, attrs, _ := bytes.Cut(tag, []byte(" "))
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	switch string(bytes.TrimSuffix(name, []byte("/"))) {
	case "mergeCell":
		s.merged = true
	case "c":
		s.cell = ""
		if _, ref, ok := bytes.Cut(attrs, []byte(`r="`)); ok {
			if ref, _, ok = bytes.Cut(ref, []byte(`"`)); ok {
				s.cell = string(ref)
			}
		}
	}
}
