package db

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The migrations are written once, for PostgreSQL. SQLite reads the same files through
// sqliteFS, which rewrites each column type to SQLite's spelling of it and leaves every other
// byte alone, so a SQLite database gets exactly the schema the former hand-kept SQLite twins
// gave it.

// sqliteTypes is the whole translation: the column types a migration may use, PostgreSQL's
// spelling → SQLite's. SQLite accepts any type name and quietly gives one it does not know
// another meaning, so a column type missing here is refused rather than passed through; add
// it once you know what SQLite and the driver make of it.
//
//   - TIMESTAMPTZ becomes TIMESTAMP: the pure-Go driver (glebarez/sqlite over modernc) turns
//     only DATE, DATETIME and TIMESTAMP columns into time.Time. A plain TIMESTAMP is refused:
//     on PostgreSQL it would drop the time zone.
//   - DOUBLE PRECISION becomes REAL, an 8-byte float on both. A plain REAL is refused: on
//     PostgreSQL it is a 4-byte float.
//   - FLOAT8, PostgreSQL's other name for DOUBLE PRECISION, stays DOUBLE PRECISION (REAL
//     affinity in SQLite too). Only results.score (00008) uses it: the former SQLite copy of
//     00008 spelt that one column so, and SQLite databases made before and after must have
//     the same schema. New migrations write DOUBLE PRECISION.
var sqliteTypes = map[string]string{
	"TEXT":             "TEXT",
	"INTEGER":          "INTEGER",
	"BIGINT":           "BIGINT",
	"BOOLEAN":          "BOOLEAN",
	"TIMESTAMPTZ":      "TIMESTAMP",
	"DOUBLE PRECISION": "REAL",
	"FLOAT8":           "DOUBLE PRECISION",
}

// sqliteFS serves migrations to SQLite: each .sql file is read through toSQLite.
type sqliteFS struct{ fsys fs.FS }

func (f sqliteFS) Open(name string) (fs.File, error) {
	if path.Ext(name) != ".sql" {
		return f.fsys.Open(name)
	}
	info, err := fs.Stat(f.fsys, name)
	if err != nil {
		return nil, err
	}
	src, err := fs.ReadFile(f.fsys, name)
	if err != nil {
		return nil, err
	}
	out, err := toSQLite(src)
	if err != nil {
		return nil, fmt.Errorf("db: migration %s for SQLite: %w", name, err)
	}
	return &sqlFile{Reader: bytes.NewReader(out), info: sizedInfo{info, int64(len(out))}}, nil
}

type sqlFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (f *sqlFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *sqlFile) Close() error               { return nil }

type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (i sizedInfo) Size() int64 { return i.size }

// toSQLite rewrites a migration for SQLite: the type of every column it defines becomes its
// sqliteTypes entry.
func toSQLite(src []byte) ([]byte, error) {
	types, err := columnTypes(src)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	last := 0
	for _, t := range types {
		pg := string(src[t.start:t.end])
		lite, ok := sqliteTypes[strings.ToUpper(strings.Join(strings.Fields(pg), " "))]
		if !ok {
			return nil, fmt.Errorf("column type %s has no SQLite translation (see sqliteTypes)", pg)
		}
		out.Write(src[last:t.start])
		out.WriteString(lite)
		last = t.end
	}
	out.Write(src[last:])
	return out.Bytes(), nil
}

// span is where something stands in a migration, in bytes.
type span struct{ start, end int }

var (
	createTable     = regexp.MustCompile(`(?i)\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[^\s(]+\s*\(`)
	addColumn       = regexp.MustCompile(`(?i)\bALTER\s+TABLE\s+[^\s;]+\s+ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?`)
	tableConstraint = regexp.MustCompile(`(?i)^\s*(?:PRIMARY|UNIQUE|CONSTRAINT|FOREIGN|CHECK|EXCLUDE)\b`)
	// A column definition: its name, its type (words up to the first constraint keyword, with
	// any arguments in parentheses), then its constraints.
	columnDef = regexp.MustCompile(`(?is)^\s*("[^"]+"|\w+)\s+(\w+(?:\s+\w+)*?(?:\s*\([^)]*\))?)` +
		`(?:\s+(?:NOT|NULL|DEFAULT|PRIMARY|REFERENCES|UNIQUE|CHECK|CONSTRAINT|COLLATE|GENERATED)\b.*)?\s*$`)
)

// columnTypes returns where the type of each column defined in src stands, in order: the
// columns of CREATE TABLE and those of ALTER TABLE … ADD COLUMN. A definition it cannot read
// is an error, so that no type slips past the translation.
func columnTypes(src []byte) ([]span, error) {
	c := codeOnly(src)
	var defs []span
	for _, m := range createTable.FindAllIndex(c, -1) {
		items, ok := itemsInParens(c, m[1]-1)
		if !ok {
			return nil, fmt.Errorf("unbalanced parentheses after %q", c[m[0]:m[1]])
		}
		defs = append(defs, items...)
	}
	for _, m := range addColumn.FindAllIndex(c, -1) {
		end := bytes.IndexByte(c[m[1]:], ';')
		if end < 0 {
			end = len(c) - m[1]
		}
		defs = append(defs, span{m[1], m[1] + end})
	}
	var types []span
	for _, d := range defs {
		def := c[d.start:d.end]
		if tableConstraint.Match(def) {
			continue
		}
		m := columnDef.FindSubmatchIndex(def)
		if m == nil {
			return nil, fmt.Errorf("cannot read the column definition %q", bytes.TrimSpace(def))
		}
		types = append(types, span{d.start + m[4], d.start + m[5]})
	}
	slices.SortFunc(types, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	return types, nil
}

// itemsInParens splits what stands between the parenthesis at c[open] and its match at the
// commas outside nested parentheses.
func itemsInParens(c []byte, open int) ([]span, bool) {
	var items []span
	depth, start := 0, open+1
	for i := open; i < len(c); i++ {
		switch c[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return append(items, span{start, i}), true
			}
		case ',':
			if depth == 1 {
				items = append(items, span{start, i})
				start = i + 1
			}
		}
	}
	return nil, false
}

// codeOnly returns src with its -- comments and the insides of its string literals blanked
// byte for byte, so that what is found in it stands at the same offsets in src.
func codeOnly(src []byte) []byte {
	c := bytes.Clone(src)
	for i := 0; i < len(c); i++ {
		switch {
		case c[i] == '\'':
			for i++; i < len(c) && c[i] != '\''; i++ {
				c[i] = ' '
			}
		case c[i] == '-' && i+1 < len(c) && c[i+1] == '-':
			for ; i < len(c) && c[i] != '\n'; i++ {
				c[i] = ' '
			}
		}
	}
	return c
}
