package pdf

import (
	"slices"
	"sync"

	"github.com/go-pdf/fpdf"
)

// maxCuts bounds the number of cuts of the fallback font kept, of a few kilobytes each.
const maxCuts = 64

// cut is the fallback font cut down to some characters (fpdf.UTF8CutFont), with their widths
// in thousandths of an em, as fpdf measures them.
type cut struct {
	font   []byte
	widths map[rune]int
}

// cuts keeps the cuts of the fallback font last made, by their characters: cutting the whole
// font is most of the work of a certificate that needs it, and the certificates of a contest
// often need the same (the 〇 of a date written 二〇二二年, say). It is safe for concurrent use.
type cuts struct {
	mu sync.Mutex
	m  map[string]*cut
}

// cutFallback returns the fallback font cut down to chars, made once for every set of chars.
func (r *Renderer) cutFallback(chars []rune) (*cut, error) {
	chars = slices.Clone(chars)
	slices.Sort(chars)
	key := string(chars)
	r.cuts.mu.Lock()
	c := r.cuts.m[key]
	r.cuts.mu.Unlock()
	if c != nil {
		return c, nil
	}

	font := fpdf.UTF8CutFont(r.fallback.data, key)
	if font == nil {
		return nil, errNoUnicodeCmap
	}
	f := newDocument() // without pages, where selecting a font writes nothing
	f.AddUTF8FontFromBytes(fallbackFamily, "", font)
	f.SetFont(fallbackFamily, "", 12)
	c = &cut{font: font, widths: make(map[rune]int, len(chars))}
	for _, ch := range chars {
		c.widths[ch] = f.GetStringSymbolWidth(string(ch))
	}
	if err := f.Error(); err != nil {
		return nil, err
	}

	r.cuts.mu.Lock()
	defer r.cuts.mu.Unlock()
	if len(r.cuts.m) >= maxCuts {
		clear(r.cuts.m)
	}
	r.cuts.m[key] = c
	return c, nil
}
