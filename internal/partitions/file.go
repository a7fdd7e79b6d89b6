package partitions

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"
)

// The archive file is a tar holding manifest.json first, then one
// gzip'd CSV per table in the manifest's order. Each CSV is what Postgres's
// COPY ... (FORMAT csv, HEADER) writes: a header line naming the columns,
// then one line per row (NULL unquoted and empty, "" an empty string), so
// `tar -xOf ratings_201903.tar ratings.csv.gz | zcat` reads it and COPY
// loads it back exactly. The manifest gives each table's columns, row count
// and the SHA-256 of its uncompressed CSV; rating_archives keeps the
// SHA-256 of the whole file.

// FormatVersion names the format in the manifest.
const FormatVersion = "minyi-ratings-archive/1"

const manifestName = "manifest.json"

// The tables an archive holds, in their order: the month's ratings, then
// the rows of rating_cases and rating_holds that belong to them.
var archiveTables = []string{"ratings", "rating_cases", "rating_holds"}

// Manifest describes an archive file.
type Manifest struct {
	Format    string `json:"format"`
	Month     string `json:"month"`
	Partition string `json:"partition"`
	// TimeZone is TIME_ZONE when the month was archived; From and To the
	// partition's bounds.
	TimeZone  string    `json:"time_zone"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	CreatedAt time.Time `json:"created_at"`
	Tables    []Member  `json:"tables"`
}

// Member is one table's rows in the file.
type Member struct {
	Table   string   `json:"table"`
	File    string   `json:"file"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
	// SHA256 is the checksum of the uncompressed CSV.
	SHA256 string `json:"sha256"`
}

// member returns the manifest's member for table.
func (m Manifest) member(table string) Member {
	for _, t := range m.Tables {
		if t.Table == table {
			return t
		}
	}
	return Member{}
}

// CorruptError reports an archive file that is damaged or is not an
// archive of this format.
type CorruptError struct {
	Path   string
	Detail string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("archive %s is damaged or not a ratings archive: %s", e.Path, e.Detail)
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// validate checks the manifest's shape.
func (m Manifest) validate() error {
	if m.Format != FormatVersion {
		return fmt.Errorf("format %q, want %q", m.Format, FormatVersion)
	}
	month, err := ParseMonth(m.Month)
	if err != nil {
		return err
	}
	if m.Partition != month.Partition() || !m.From.Before(m.To) {
		return fmt.Errorf("partition %s from %s to %s does not fit the month %s", m.Partition, m.From, m.To, m.Month)
	}
	if len(m.Tables) != len(archiveTables) {
		return fmt.Errorf("%d tables, want %d", len(m.Tables), len(archiveTables))
	}
	for i, t := range m.Tables {
		if t.Table != archiveTables[i] || t.File != t.Table+".csv.gz" || len(t.Columns) == 0 ||
			t.Rows < 0 || !hexSHA256.MatchString(t.SHA256) {
			return fmt.Errorf("table entry %d (%s) is malformed", i+1, t.Table)
		}
	}
	return nil
}

// spool collects one table's CSV into a temporary gzip file beside the
// archive, hashing the CSV on the way.
type spool struct {
	f  *os.File
	gz *gzip.Writer
	h  hash.Hash
}

func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, ".minyi-archive-*.csv.gz")
	if err != nil {
		return nil, err
	}
	return &spool{f: f, gz: gzip.NewWriter(f), h: sha256.New()}, nil
}

func (s *spool) Write(p []byte) (int, error) {
	s.h.Write(p)
	return s.gz.Write(p)
}

// finish ends the gzip stream and returns the CSV's SHA-256.
func (s *spool) finish() (string, error) {
	if err := s.gz.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(s.h.Sum(nil)), nil
}

func (s *spool) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// writeArchive writes the manifest and the spooled members as a tar to a
// temporary file beside path, syncs it and renames it to path, so path is
// either the old file or the complete new one. The file is readable by
// its owner only: ratings hold citizens' comments.
func writeArchive(path string, man Manifest, members []*spool) error {
	body, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	hdr := func(name string, size int64) *tar.Header {
		return &tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: man.CreatedAt, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	}
	if err := tw.WriteHeader(hdr(manifestName, int64(len(body)))); err != nil {
		return err
	}
	if _, err := tw.Write(body); err != nil {
		return err
	}
	for i, s := range members {
		size, err := s.f.Seek(0, io.SeekEnd)
		if err == nil {
			_, err = s.f.Seek(0, io.SeekStart)
		}
		if err == nil {
			err = tw.WriteHeader(hdr(man.Tables[i].File, size))
		}
		if err == nil {
			_, err = io.Copy(tw, s.f)
		}
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() //nolint:errcheck // best effort: the rename is durable on most file systems anyway
		d.Close()
	}
	return nil
}

// loadFunc receives one member's CSV and returns how many rows it read.
type loadFunc func(m Member, csv io.Reader) (int64, error)

// readArchive reads the archive at path: the manifest, then each member's
// CSV handed to load (nil: parsed and counted). It checks every member's
// SHA-256 and row count against the manifest and returns the manifest and
// the SHA-256 of the whole file. Damage is a *CorruptError.
func readArchive(path string, load loadFunc) (Manifest, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return Manifest{}, "", err
	}
	defer f.Close()
	whole := sha256.New()
	src := io.TeeReader(f, whole)
	corrupt := func(format string, a ...any) error {
		return &CorruptError{Path: path, Detail: fmt.Sprintf(format, a...)}
	}
	tr := tar.NewReader(src)
	h, err := tr.Next()
	if err != nil || h.Name != manifestName {
		return Manifest{}, "", corrupt("no %s at its start", manifestName)
	}
	var man Manifest
	if err := json.NewDecoder(tr).Decode(&man); err != nil {
		return Manifest{}, "", corrupt("%s: %v", manifestName, err)
	}
	if err := man.validate(); err != nil {
		return Manifest{}, "", corrupt("%s: %v", manifestName, err)
	}
	for _, m := range man.Tables {
		h, err := tr.Next()
		if err != nil || h.Name != m.File {
			return Manifest{}, "", corrupt("%s missing or out of order", m.File)
		}
		if err := readMember(tr, m, load); err != nil {
			var ce *CorruptError
			if errors.As(err, &ce) {
				ce.Path = path
			}
			return Manifest{}, "", err
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		return Manifest{}, "", corrupt("unexpected content after the last table")
	}
	if _, err := io.Copy(io.Discard, src); err != nil {
		return Manifest{}, "", err
	}
	return man, hex.EncodeToString(whole.Sum(nil)), nil
}

// readMember decompresses one member, hands it to load and checks its
// checksum and row count.
func readMember(r io.Reader, m Member, load loadFunc) error {
	corrupt := func(format string, a ...any) error {
		return &CorruptError{Detail: m.File + ": " + fmt.Sprintf(format, a...)}
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return corrupt("%v", err)
	}
	h := sha256.New()
	data := io.TeeReader(gz, h)
	if load == nil {
		load = countCSV
	}
	rows, err := load(m, data)
	if err == nil {
		// The rest, if load stopped early, and the gzip trailer's CRC.
		_, err = io.Copy(io.Discard, data)
	}
	if err != nil {
		if isCorruption(err) {
			return corrupt("%v", err)
		}
		return fmt.Errorf("%s: %w", m.File, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != m.SHA256 {
		return corrupt("SHA-256 %s, the manifest says %s", sum, m.SHA256)
	}
	if rows != m.Rows {
		return corrupt("%d rows, the manifest says %d", rows, m.Rows)
	}
	return nil
}

// isCorruption reports errors of the file's encoding rather than of the
// database or the disk.
func isCorruption(err error) bool {
	var pe *csv.ParseError
	var ce *CorruptError
	return errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, tar.ErrHeader) || errors.As(err, &pe) || errors.As(err, &ce)
}

// countCSV parses a member's CSV, checks its header and the number of
// fields of every row, and counts the rows.
func countCSV(m Member, r io.Reader) (int64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(m.Columns)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return 0, &CorruptError{Detail: fmt.Sprintf("header: %v", err)}
	}
	if !slices.Equal(header, m.Columns) {
		return 0, &CorruptError{Detail: fmt.Sprintf("header %v, the manifest says %v", header, m.Columns)}
	}
	var n int64
	for {
		if _, err := cr.Read(); err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
		n++
	}
}

// readManifest reads only the manifest of the file at path.
func readManifest(path string) (Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return Manifest{}, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	h, err := tr.Next()
	var man Manifest
	if err == nil && h.Name == manifestName {
		err = json.NewDecoder(tr).Decode(&man)
		if err == nil {
			err = man.validate()
		}
	} else if err == nil {
		err = errors.New("no manifest")
	}
	if err != nil {
		return Manifest{}, &CorruptError{Path: path, Detail: err.Error()}
	}
	return man, nil
}
