package pdf

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"
	"unicode"
)

// ErrMissingGlyphs means neither the certificate font nor its fallback font has a glyph for
// some characters of a certificate (a character outside the Basic Multilingual Plane in a
// name, say): they would print blank. A font with more characters is needed.
var ErrMissingGlyphs = errors.New("证书字体缺少以下字符，请设置 CONTEST_CERT_FONT 为字符更全的 TrueType 字体 (the certificate font lacks these characters)")

// face is a TrueType font: the file and the characters it has a glyph for.
type face struct {
	data  []byte // fpdf only reads it, so documents share it
	cover *coverage
}

// parseFace reads the characters of TrueType font b.
func parseFace(b []byte) (face, error) {
	if err := checkTrueType(b); err != nil {
		return face{}, err
	}
	cover, err := parseCoverage(b)
	if err != nil {
		return face{}, err
	}
	return face{data: b, cover: cover}, nil
}

// coverage is the set of characters of the Basic Multilingual Plane a font has a glyph for,
// read from its format 4 Unicode cmap: the one fpdf uses, so fpdf can draw no others.
type coverage [0x10000 / 64]uint64

func (c *coverage) has(r rune) bool {
	return r >= 0 && r < 0x10000 && c[r/64]&(1<<(r%64)) != 0
}

// missing returns the characters of texts, once each and in order, that the font lacks.
// White space needs no glyph.
func (c *coverage) missing(texts ...string) []rune {
	var out []rune
	for _, s := range texts {
		for _, r := range s {
			if !unicode.IsSpace(r) && !c.has(r) && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

var (
	errNoUnicodeCmap = errors.New("字体没有 Unicode 字符映射表 (font has no format 4 Unicode cmap)")
	errMalformedFont = errors.New("字体文件已损坏 (malformed font: bad cmap)")
)

// parseCoverage reads the cmap of TrueType font b as fpdf does: the first Windows Unicode
// BMP (3,1) or Unicode-platform subtable in format 4.
func parseCoverage(b []byte) (*coverage, error) {
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(b[off:])), true
	}
	u32 := func(off int) (int, bool) {
		if off < 0 || off+4 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(b[off:])), true
	}

	numTables, ok := u16(4)
	if !ok {
		return nil, errMalformedFont
	}
	cmap := -1
	for i := range numTables {
		rec := 12 + 16*i
		if rec+16 > len(b) {
			return nil, errMalformedFont
		}
		if string(b[rec:rec+4]) == "cmap" {
			cmap, _ = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return nil, errNoUnicodeCmap
	}
	n, ok := u16(cmap + 2)
	if !ok {
		return nil, errMalformedFont
	}
	sub := -1
	for i := range n {
		rec := cmap + 4 + 8*i
		platform, ok1 := u16(rec)
		encoding, ok2 := u16(rec + 2)
		off, ok3 := u32(rec + 4)
		if !ok1 || !ok2 || !ok3 {
			return nil, errMalformedFont
		}
		if format, _ := u16(cmap + off); format == 4 && (platform == 3 && encoding == 1 || platform == 0) {
			sub = cmap + off
			break
		}
	}
	if sub < 0 {
		return nil, errNoUnicodeCmap
	}
	return parseFormat4(sub, u16)
}

// parseFormat4 reads the segments of the format 4 subtable at sub.
func parseFormat4(sub int, u16 func(int) (int, bool)) (*coverage, error) {
	segX2, ok := u16(sub + 6)
	if !ok {
		return nil, errMalformedFont
	}
	ends, starts := sub+14, sub+16+segX2
	deltas, rangeOffsets := starts+segX2, starts+2*segX2
	var c coverage
	for s := 0; s < segX2; s += 2 {
		end, ok1 := u16(ends + s)
		start, ok2 := u16(starts + s)
		delta, ok3 := u16(deltas + s)
		ro, ok4 := u16(rangeOffsets + s)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, errMalformedFont
		}
		for r := start; r <= end && r < 0xFFFF; r++ {
			glyph := (r + delta) & 0xFFFF
			if ro != 0 {
				g, ok := u16(rangeOffsets + s + ro + 2*(r-start))
				if !ok {
					return nil, errMalformedFont
				}
				glyph = 0
				if g != 0 {
					glyph = (g + delta) & 0xFFFF
				}
			}
			if glyph != 0 {
				c[r/64] |= 1 << (r % 64)
			}
		}
	}
	return &c, nil
}

// extra returns up to n printable characters, in order, that c has and o lacks.
func (c *coverage) extra(o *coverage, n int) []rune {
	var out []rune
	for i := range c {
		for w := c[i] &^ o[i]; w != 0 && len(out) < n; w &= w - 1 {
			if r := rune(i*64 + bits.TrailingZeros64(w)); unicode.IsGraphic(r) && !unicode.IsSpace(r) {
				out = append(out, r)
			}
		}
	}
	return out
}
