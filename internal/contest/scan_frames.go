package contest

import (
	"context"
	"errors"
	"image"
	"math"
	"math/bits"
	"sync"

	"github.com/corona10/goimagehash"
)

// How a video is sampled and read. Captions stay on screen for a second or more, so a frame
// every half second sees each; a band is read at most once a second, and only when what it
// shows changed; the whole frame is read only in the opening and closing seconds, where
// 片头 and 片尾 credits are.
const (
	scanEvery     = 0.5  // seconds between sampled frames
	scanBox       = 1280 // sampled frames fit in scanBox×scanBox: captions stay ≥ 20 px tall
	scanEdge      = 10.0 // the opening and closing seconds read whole
	scanHashEvery = 1.0  // seconds between the perceptual hashes kept
	scanReadEvery = 1.0  // the least time between two readings of one band
	scanFullEvery = 2.0  // the least time between two readings of the whole frame
	scanMaxBands  = 120  // band readings per video, at most
	scanMaxFull   = 40   // whole-frame readings per video, at most: the closing credits keep theirs
	scanBatch     = 8    // regions per OCR run
	// The bands: the top 15 % (logos, unit names) and the bottom 28 % (subtitles, name
	// captions) of the picture.
	topBand    = 0.15
	bottomBand = 0.72
	// brightText is the grey level (full range, 0–255) above which a pixel counts as caption
	// text: captions are white text, often outlined, over any picture. Turning them into dark
	// text on white, and everything else white, is what lets the OCR read them on a busy
	// background. Of thresholds tried on white captions over six backgrounds, re-encoded, 235
	// read the most names and units (180 half as many).
	brightText = 234
)

// NewScanPlan is how a video with these facts is sampled: every half second, in the display
// orientation, scaled down to fit scanBox (never up), for at most its duration plus a margin.
func NewScanPlan(f VideoFacts) ScanPlan {
	w, h := f.DisplayWidth, f.DisplayHeight
	if w <= 0 || h <= 0 {
		w, h = 1280, 720
	}
	if m := max(w, h); m > scanBox {
		w, h = int(math.Round(float64(w)*scanBox/float64(m))), int(math.Round(float64(h)*scanBox/float64(m)))
	}
	frames := int(math.Ceil(f.DurationSec/scanEvery)) + 4
	return ScanPlan{Every: scanEvery, Width: max(w, 16), Height: max(h, 16), MaxFrames: min(max(frames, 8), 2*60*60*2)}
}

// region is a part of a frame given to the OCR.
type region struct {
	at   float64
	name string
	img  *image.Gray
}

// frameScanner is the sink of one video's sampled frames: it keeps the perceptual hashes, and
// sends the regions worth reading to the OCR, which runs beside the decoding.
type frameScanner struct {
	duration float64
	hashes   []FrameHash
	nextHash float64

	bands                map[string]*bandState
	reads                int // regions sent to the OCR
	bandReads, fullReads int
	batch                []region
	batches              chan []region
	// bottom has, for each look at the bottom band (once a second), the time of the reading
	// of the text it showed, or -1 when it held no light text: for the subtitles.
	bottom   []float64
	lastFull uint64 // the hash of the last whole frame read
	fullRead bool
	nextFull float64 // the earliest time of the next whole frame read

	mu     sync.Mutex
	texts  []FrameText
	ocr    error // why reading stopped (ErrOCRUnavailable, or the scan's end)
	unread int   // regions in batches the reader failed on
	done   chan struct{}
}

// bandState is what was last read in one band.
type bandState struct {
	nextAt float64
	sig    []int   // the dark-pixel counts of the last region read, on a coarse grid
	readAt float64 // when it was read
}

func newFrameScanner(ctx context.Context, reader TextReader, duration float64) *frameScanner {
	s := &frameScanner{duration: duration, bands: map[string]*bandState{RegionTop: {}, RegionBottom: {}},
		batches: make(chan []region, 2), done: make(chan struct{})}
	go s.read(ctx, reader)
	return s
}

// read runs the OCR on the batches as they come.
func (s *frameScanner) read(ctx context.Context, reader TextReader) {
	defer close(s.done)
	for batch := range s.batches {
		if s.failed() {
			continue // drain: the sampling goes on for the hashes and the sound
		}
		if reader == nil {
			s.fail(ErrOCRUnavailable)
			continue
		}
		imgs := make([]image.Image, len(batch))
		for i, r := range batch {
			imgs[i] = r.img
		}
		texts, err := reader.ReadText(ctx, imgs)
		if err == nil && len(texts) != len(batch) {
			err = errors.New("ocr: a text per picture was not returned")
		}
		if err != nil && (ErrorCode(err) == EUnavailable || ctx.Err() != nil) {
			s.fail(err) // no OCR here, or the scan is over: reading stops
			continue
		}
		if err != nil {
			// One batch that could not be read (a run timed out on a busy machine): the
			// others still count, and the findings say some text was not read.
			s.mu.Lock()
			s.unread += len(batch)
			s.mu.Unlock()
			continue
		}
		s.mu.Lock()
		for i, r := range batch {
			s.texts = append(s.texts, FrameText{At: r.at, Region: r.name, Text: texts[i]})
		}
		s.mu.Unlock()
	}
}

func (s *frameScanner) failed() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.ocr != nil }

func (s *frameScanner) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ocr == nil {
		s.ocr = err
	}
}

// frame is the FrameSink.
func (s *frameScanner) frame(at float64, img *image.Gray) error {
	if at+1e-6 >= s.nextHash {
		s.hashes = append(s.hashes, FrameHash{At: at, Hash: perceptualHash(img)})
		s.nextHash = at + scanHashEvery
	}
	if s.failed() {
		return nil
	}
	b := img.Bounds()
	if (at < scanEdge || at > s.duration-scanEdge) && s.fullReads < scanMaxFull {
		// The credits of 片头 and 片尾 are often dark text on a plain picture: the whole frame is
		// read as it is (the OCR finds its own threshold), once per different picture.
		if h := s.hashes[len(s.hashes)-1].Hash; at+1e-6 >= s.nextFull && (!s.fullRead || bits.OnesCount64(h^s.lastFull) > 6) {
			s.fullRead, s.lastFull, s.nextFull = true, h, at+scanFullEvery
			s.fullReads++
			s.add(region{at: at, name: RegionFull, img: cloneGray(img, b)})
		}
	}
	s.band(at, RegionTop, img, image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+int(float64(b.Dy())*topBand)))
	s.band(at, RegionBottom, img, image.Rect(b.Min.X, b.Min.Y+int(float64(b.Dy())*bottomBand), b.Max.X, b.Max.Y))
	return nil
}

// band sends a band to be read when it shows caption-like text that differs from the last
// reading of that band, at most once a second.
func (s *frameScanner) band(at float64, name string, img *image.Gray, r image.Rectangle) {
	st := s.bands[name]
	if at+1e-6 < st.nextAt || s.bandReads >= scanMaxBands {
		return
	}
	st.nextAt = at + scanReadEvery
	shown := s.readBand(at, st, name, img, r)
	if name == RegionBottom {
		s.bottom = append(s.bottom, shown)
	}
}

// readBand looks at a band and returns the time of the reading of the text it shows (read
// now, or earlier while the same caption stays), or -1 when it holds no light text.
func (s *frameScanner) readBand(at float64, st *bandState, name string, img *image.Gray, r image.Rectangle) float64 {
	bin, dark := binarize(img, r)
	share := float64(dark) / float64(r.Dx()*r.Dy())
	if share < 0.0005 || share > 0.35 {
		// Nothing light enough to be a caption, or a bright picture rather than text.
		st.sig = nil
		return -1
	}
	sig := signature(bin)
	if st.sig != nil && sameSignature(st.sig, sig) {
		return st.readAt // the same caption, still on screen
	}
	st.sig, st.readAt = sig, at
	s.bandReads++
	s.add(region{at: at, name: name, img: textBox(bin)})
	return at
}

// textMargin is the white left around the text when a band is cropped to it.
const textMargin = 12

// textBox crops a binarized band to its dark pixels and a margin: the OCR's time grows with
// the picture, and a subtitle line is often half the width.
func textBox(img *image.Gray) *image.Gray {
	b := img.Bounds()
	x0, y0, x1, y1 := b.Dx(), b.Dy(), -1, -1
	for y := 0; y < b.Dy(); y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+b.Dx()]
		for x, v := range row {
			if v == 0 {
				x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return img
	}
	r := image.Rect(max(x0-textMargin, 0), max(y0-textMargin, 0), min(x1+1+textMargin, b.Dx()), min(y1+1+textMargin, b.Dy()))
	return img.SubImage(r).(*image.Gray)
}

func (s *frameScanner) add(r region) {
	s.reads++
	s.batch = append(s.batch, r)
	if len(s.batch) == scanBatch {
		s.batches <- s.batch
		s.batch = nil
	}
}

// finish sends the last batch and waits for the OCR. It returns the texts read, in time order,
// and why reading stopped, if it did; unread counts the regions of batches the reader failed on.
func (s *frameScanner) finish() ([]FrameText, error) {
	if len(s.batch) > 0 {
		s.batches <- s.batch
		s.batch = nil
	}
	close(s.batches)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	texts := sortedTexts(s.texts)
	return texts, s.ocr
}

// cloneGray copies r of img.
func cloneGray(img *image.Gray, r image.Rectangle) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(out.Pix[(y-r.Min.Y)*out.Stride:], img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)])
	}
	return out
}

// binarize returns r of img as dark text on white: pixels brighter than brightText become
// black, the rest white. It counts the black ones.
func binarize(img *image.Gray, r image.Rectangle) (*image.Gray, int) {
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	dark := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		dst := out.Pix[(y-r.Min.Y)*out.Stride:]
		for x, v := range src {
			if v > brightText {
				dst[x] = 0
				dark++
			} else {
				dst[x] = 255
			}
		}
	}
	return out, dark
}

// The signature of a binarized band: its dark pixels counted on a sigCols×sigRows grid.
const sigCols, sigRows = 32, 4

func signature(img *image.Gray) []int {
	sig := make([]int, sigCols*sigRows)
	b := img.Bounds()
	for y := 0; y < b.Dy(); y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+b.Dx()]
		cell := (y * sigRows / b.Dy()) * sigCols
		for x, v := range row {
			if v == 0 {
				sig[cell+x*sigCols/b.Dx()]++
			}
		}
	}
	return sig
}

// sameSignature reports whether two bands differ by less than a tenth of their dark pixels:
// the same text, the picture behind it moving a little.
func sameSignature(a, b []int) bool {
	diff, total := 0, 0
	for i := range a {
		d := a[i] - b[i]
		if d < 0 {
			d = -d
		}
		diff += d
		total += a[i] + b[i]
	}
	return total == 0 || float64(diff) < 0.1*float64(total)/2
}

// hashSide is the side of the picture a perceptual hash is taken of.
const hashSide = 64

// perceptualHash is the pHash (goimagehash) of the middle 80 % of the picture, box-averaged to
// hashSide×hashSide first: borders, where a crop or a logo changes a copy most, weigh nothing.
func perceptualHash(img *image.Gray) uint64 {
	b := img.Bounds()
	mx, my := b.Dx()/10, b.Dy()/10
	r := image.Rect(b.Min.X+mx, b.Min.Y+my, b.Max.X-mx, b.Max.Y-my)
	small := image.NewGray(image.Rect(0, 0, hashSide, hashSide))
	sums := make([]int, hashSide*hashSide)
	counts := make([]int, hashSide*hashSide)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		cy := (y - r.Min.Y) * hashSide / r.Dy() * hashSide
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for x, v := range row {
			c := cy + x*hashSide/r.Dx()
			sums[c] += int(v)
			counts[c]++
		}
	}
	for i := range sums {
		if counts[i] > 0 {
			small.Pix[i] = uint8(sums[i] / counts[i])
		}
	}
	h, err := goimagehash.PerceptionHash(small)
	if err != nil {
		return 0 // only for a nil image
	}
	return h.GetHash()
}
