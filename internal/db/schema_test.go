package db_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jskx/contest/internal/db"
	"github.com/jskx/contest/internal/db/dbtest"
)

// TestMigrations_BothBackendsHaveTheSameSchema migrates a fresh PostgreSQL and a fresh SQLite
// database from the one set of migrations and compares what each reports of the schema.
func TestMigrations_BothBackendsHaveTheSameSchema(t *testing.T) {
	pg := postgresSchema(t, dbtest.MustOpen(t, db.Postgres, dbtest.MustBox(t)))
	lite := sqliteSchema(t, dbtest.MustOpen(t, db.SQLite, dbtest.MustBox(t)))
	if len(pg.Tables) == 0 || len(lite.Tables) == 0 {
		t.Fatalf("read %d tables from PostgreSQL and %d from SQLite", len(pg.Tables), len(lite.Tables))
	}
	if diff := cmp.Diff(pg, lite); diff != "" {
		t.Errorf("the schemas differ (-postgres +sqlite):\n%s", diff)
	}
}

// schema is what the test compares of a database.
//
// Tables holds our tables only. goose's version table and River's tables (river_*) are left
// out: each tool writes them differently for each dialect (goose's id is an identity column on
// PostgreSQL and AUTOINCREMENT on SQLite; River uses jsonb, enums and arrays on PostgreSQL and
// has tables of its own per driver). Of those, only the versions they reached are compared.
type schema struct {
	Tables       map[string]table
	GooseVersion string
	RiverVersion string
}

type table struct {
	Columns     map[string]column
	PrimaryKey  []string
	Indexes     map[string]index // made by CREATE INDEX, by name
	Uniques     []string         // UNIQUE constraints by their columns: their indexes' names differ by dialect
	ForeignKeys []string         // "column → table(column) ON DELETE action"
}

type column struct {
	Family   string // see families
	Nullable bool
	Default  string // see normalDefault; "" for none
}

type index struct {
	Columns []string
	Unique  bool
	Where   string // a partial index's predicate, see normalPredicate
}

// families maps the column types each dialect reports, in lower case, to a family:
// PostgreSQL's information_schema data_type and SQLite's declared type. A type missing here
// (TIMESTAMPTZ left untranslated in SQLite, whose driver would then return text, or a plain
// timestamp without time zone in PostgreSQL) is its own family and so differs.
var families = map[string]string{
	"text":                     "text",
	"integer":                  "integer",
	"bigint":                   "integer",
	"smallint":                 "integer",
	"boolean":                  "boolean",
	"real":                     "real",
	"double precision":         "real",
	"timestamp with time zone": "timestamp", // PostgreSQL's TIMESTAMPTZ
	"timestamp":                "timestamp", // SQLite's TIMESTAMP, which its driver reads as time.Time
	"bytea":                    "blob",
	"blob":                     "blob",
}

func family(typ string) string {
	if f, ok := families[strings.ToLower(typ)]; ok {
		return f
	}
	return "unknown type " + typ
}

var pgCasts = regexp.MustCompile(`(::[a-z ]+)+$`)

// normalDefault writes a column default the same way for both dialects: without PostgreSQL's
// casts ('x'::text), booleans as false/true (SQLite reports FALSE, 0...), numbers as Go
// formats them.
func normalDefault(family string, def any) string {
	if def == nil {
		return ""
	}
	d := pgCasts.ReplaceAllString(str(def), "")
	switch family {
	case "boolean":
		switch strings.ToLower(d) {
		case "false", "0":
			return "false"
		case "true", "1":
			return "true"
		}
	case "integer", "real":
		if f, err := strconv.ParseFloat(strings.Trim(d, "'()"), 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	return d
}

// normalPredicate writes a partial index's predicate without parentheses, in lower case.
func normalPredicate(p string) string {
	p = strings.NewReplacer("(", " ", ")", " ").Replace(strings.ToLower(p))
	return strings.Join(strings.Fields(p), " ")
}

// ours tells our tables from goose's, River's and SQLite's own.
func ours(table string) bool {
	return table != "goose_db_version" && !strings.HasPrefix(table, "river_") && !strings.HasPrefix(table, "sqlite_")
}

func sqliteSchema(t *testing.T, d *db.DB) schema {
	s := schema{Tables: map[string]table{}}
	s.GooseVersion, s.RiverVersion = versions(t, d)
	for _, r := range query(t, d, `SELECT name FROM sqlite_master WHERE type = 'table'`) {
		if name := str(r["name"]); ours(name) {
			s.Tables[name] = sqliteTable(t, d, name)
		}
	}
	return s
}

func sqliteTable(t *testing.T, d *db.DB, name string) table {
	tb := table{Columns: map[string]column{}, Indexes: map[string]index{}}
	keyPos := map[string]int{}
	for _, r := range query(t, d, fmt.Sprintf(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('%s')`, name)) {
		col, f := str(r["name"]), family(str(r["type"]))
		pk, _ := strconv.Atoi(str(r["pk"])) // the column's place in the primary key, from 1
		// SQLite lets a PRIMARY KEY column that is not an INTEGER hold NULL unless it also says
		// NOT NULL (a quirk it keeps for compatibility); PostgreSQL makes every key column NOT
		// NULL. Our ids are never NULL, and the SQLite schema stays as existing databases have
		// it, so key columns count as NOT NULL here.
		tb.Columns[col] = column{Family: f, Nullable: str(r["notnull"]) == "0" && pk == 0, Default: normalDefault(f, r["dflt_value"])}
		if pk > 0 {
			tb.PrimaryKey = append(tb.PrimaryKey, col)
			keyPos[col] = pk
		}
	}
	slices.SortFunc(tb.PrimaryKey, func(a, b string) int { return keyPos[a] - keyPos[b] })
	for _, r := range query(t, d, fmt.Sprintf(`SELECT il.name, il."unique", il.origin, m.sql FROM pragma_index_list('%s') il
		LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = il.name`, name)) {
		var cols []string
		for _, c := range query(t, d, fmt.Sprintf(`SELECT name FROM pragma_index_info('%s') ORDER BY seqno`, str(r["name"]))) {
			cols = append(cols, str(c["name"]))
		}
		switch str(r["origin"]) {
		case "u":
			tb.Uniques = append(tb.Uniques, strings.Join(cols, ","))
		case "c":
			_, where, _ := strings.Cut(strings.ToUpper(str(r["sql"])), " WHERE ")
			tb.Indexes[str(r["name"])] = index{Columns: cols, Unique: str(r["unique"]) == "1", Where: normalPredicate(where)}
		}
	}
	for _, r := range query(t, d, fmt.Sprintf(`SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list('%s')`, name)) {
		tb.ForeignKeys = append(tb.ForeignKeys, foreignKey(r["from"], r["table"], r["to"], r["on_delete"]))
	}
	slices.Sort(tb.Uniques)
	slices.Sort(tb.ForeignKeys)
	return tb
}

func postgresSchema(t *testing.T, d *db.DB) schema {
	s := schema{Tables: map[string]table{}}
	s.GooseVersion, s.RiverVersion = versions(t, d)
	tableOf := func(name string) (table, bool) {
		tb, ok := s.Tables[name]
		if !ok && ours(name) {
			tb, ok = table{Columns: map[string]column{}, Indexes: map[string]index{}}, true
		}
		return tb, ok
	}
	for _, r := range query(t, d, `SELECT table_name, column_name, data_type, is_nullable, column_default
		FROM information_schema.columns WHERE table_schema = current_schema()`) {
		if tb, ok := tableOf(str(r["table_name"])); ok {
			f := family(str(r["data_type"]))
			tb.Columns[str(r["column_name"])] = column{Family: f, Nullable: str(r["is_nullable"]) == "YES", Default: normalDefault(f, r["column_default"])}
			s.Tables[str(r["table_name"])] = tb
		}
	}
	for _, r := range query(t, d, postgresIndexes) {
		tb, ok := tableOf(str(r["table_name"]))
		if !ok {
			continue
		}
		cols := strings.Split(str(r["columns"]), ",")
		switch str(r["constraint_type"]) {
		case "p":
			tb.PrimaryKey = cols
		case "u":
			tb.Uniques = append(tb.Uniques, strings.Join(cols, ","))
			slices.Sort(tb.Uniques)
		default:
			tb.Indexes[str(r["index_name"])] = index{Columns: cols, Unique: str(r["is_unique"]) == "true", Where: normalPredicate(str(r["predicate"]))}
		}
		s.Tables[str(r["table_name"])] = tb
	}
	for _, r := range query(t, d, postgresForeignKeys) {
		if tb, ok := tableOf(str(r["table_name"])); ok {
			tb.ForeignKeys = append(tb.ForeignKeys, foreignKey(r["column_name"], r["ref_table"], r["ref_column"], r["on_delete"]))
			slices.Sort(tb.ForeignKeys)
			s.Tables[str(r["table_name"])] = tb
		}
	}
	return s
}

// postgresIndexes lists the indexes of the schema's tables with their columns in order and the
// constraint each one backs: p (primary key), u (unique) or none.
const postgresIndexes = `
SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique,
       COALESCE(c.contype::text, '') AS constraint_type,
       COALESCE(pg_get_expr(ix.indpred, ix.indrelid), '') AS predicate,
       array_to_string(ARRAY(
           SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
           JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.n), ',') AS columns
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
LEFT JOIN pg_constraint c ON c.conindid = ix.indexrelid AND c.contype IN ('p', 'u')
WHERE t.relnamespace = current_schema()::regnamespace`

// postgresForeignKeys lists the foreign keys of the schema's tables, a row per column.
const postgresForeignKeys = `
SELECT t.relname AS table_name, a.attname AS column_name, rt.relname AS ref_table, ra.attname AS ref_column,
       CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
           WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS on_delete
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_class rt ON rt.oid = c.confrelid
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, ref_col)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.ref_col
WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace`

func foreignKey(col, refTable, refCol, onDelete any) string {
	return fmt.Sprintf("%s → %s(%s) ON DELETE %s", str(col), str(refTable), str(refCol), str(onDelete))
}

// versions returns the goose version and the River schema version a database is at.
func versions(t *testing.T, d *db.DB) (goose, river string) {
	g := query(t, d, `SELECT max(version_id) AS v FROM goose_db_version`)
	r := query(t, d, `SELECT max(version) AS v FROM river_migration`)
	return str(g[0]["v"]), str(r[0]["v"])
}

func query(t *testing.T, d *db.DB, sql string) []map[string]any {
	t.Helper()
	rows, err := d.RawRows(context.Background(), sql)
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return rows
}

func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}
