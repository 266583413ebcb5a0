package ffmpeg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// Ftyp is the file-type box at the start of an ISO base media file (MP4, QuickTime, 3GP …).
type Ftyp struct {
	MajorBrand       string
	MinorVersion     uint32
	CompatibleBrands []string
}

// ErrNoFtyp means the data does not start with an ftyp box: the file is not ISO base media
// (Matroska, WebM, MPEG-TS, AVI, old QuickTime) or not media at all.
var ErrNoFtyp = errors.New("no ftyp box at the start of the file")

// maxFtypBrands bounds the work on a hostile box that claims a huge size.
const maxFtypBrands = 256

// ParseFtyp reads the ftyp box from the first bytes of a file. A box truncated by the end of b
// yields the brands that are complete. It never reads beyond b.
func ParseFtyp(b []byte) (Ftyp, error) {
	size, hdr, typ, ok := boxHeader(b)
	if !ok || typ != "ftyp" {
		return Ftyp{}, ErrNoFtyp
	}
	body := b[hdr:]
	if size != 0 && size-uint64(hdr) < uint64(len(body)) { // size 0: box runs to the end of the file
		body = body[:size-uint64(hdr)]
	}
	if len(body) < 8 {
		return Ftyp{}, ErrNoFtyp
	}
	f := Ftyp{MajorBrand: string(body[:4]), MinorVersion: binary.BigEndian.Uint32(body[4:8])}
	for rest := body[8:]; len(rest) >= 4 && len(f.CompatibleBrands) < maxFtypBrands; rest = rest[4:] {
		if brand := string(rest[:4]); brand != "\x00\x00\x00\x00" {
			f.CompatibleBrands = append(f.CompatibleBrands, brand)
		}
	}
	return f, nil
}

// boxHeader decodes an ISO BMFF box header: the box size (0: to the end of the file), the
// header length (8, or 16 with a 64-bit size) and the type. ok is false when b is too short or
// the size is smaller than the header.
func boxHeader(b []byte) (size uint64, hdr int, typ string, ok bool) {
	if len(b) < 8 {
		return 0, 0, "", false
	}
	size, hdr, typ = uint64(binary.BigEndian.Uint32(b)), 8, string(b[4:8])
	if size == 1 {
		if len(b) < 16 {
			return 0, 0, "", false
		}
		size, hdr = binary.BigEndian.Uint64(b[8:16]), 16
	}
	if size != 0 && size < uint64(hdr) {
		return 0, 0, "", false
	}
	return size, hdr, typ, true
}

// maxTopLevelBoxes bounds the walk in walkBoxes; fragmented files of a few minutes have a few
// hundred top-level boxes.
const maxTopLevelBoxes = 100000

// errTruncated means a top-level box runs past the end of the file: an upload that stopped early.
var errTruncated = errors.New("a top-level box runs past the end of the file or is malformed (truncated or corrupt)")

// boxLayout is where the index and the media data sit in the file; -1 when absent.
type boxLayout struct{ moov, mdat int64 }

// faststart reports whether the index comes before the media data, as browsers like it.
func (l boxLayout) faststart() bool { return l.moov >= 0 && (l.mdat < 0 || l.moov < l.mdat) }

// walkBoxes walks the top-level boxes of an ISO base media file of the given size, reading only
// their headers, and returns where the moov and first mdat boxes start. It returns errTruncated
// when a box claims more bytes than the file has: a faststart file cut in half still has its
// moov box, so ffprobe alone reads it without complaint. Other errors are r's.
func walkBoxes(r io.ReaderAt, size int64) (boxLayout, error) {
	l := boxLayout{moov: -1, mdat: -1}
	var buf [16]byte
	off := int64(0)
	for i := 0; i < maxTopLevelBoxes && off < size; i++ {
		if size-off < 8 { // a few stray bytes at the end: ignore, as players do
			return l, nil
		}
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if err != nil && !errors.Is(err, io.EOF) {
			return l, err
		}
		bsize, _, typ, ok := boxHeader(buf[:n])
		switch {
		case !ok:
			return l, errTruncated
		case typ == "moov" && l.moov < 0:
			l.moov = off
		case typ == "mdat" && l.mdat < 0:
			l.mdat = off
		}
		switch {
		case bsize == 0:
			return l, nil
		case bsize > uint64(size-off):
			return l, errTruncated
		}
		off += int64(bsize)
	}
	return l, nil
}

// sniff names the format of a file without an ftyp box from its first bytes, with ffprobe's
// format names, for the message that says what the file is; "" when unknown. No tool is run on
// such a file, so this is the only look at it.
func sniff(head []byte) string {
	text := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte{0x1a, 0x45, 0xdf, 0xa3}):
		return "matroska,webm"
	case len(head) > 188 && head[0] == 0x47 && head[188] == 0x47:
		return "mpegts"
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "AVI ":
		return "avi"
	case bytes.HasPrefix(head, []byte("FLV")):
		return "flv"
	case bytes.HasPrefix(head, []byte{0x30, 0x26, 0xb2, 0x75}):
		return "asf"
	case bytes.HasPrefix(head, []byte{0x00, 0x00, 0x01, 0xba}):
		return "mpeg"
	case bytes.HasPrefix(text, []byte("#EXTM3U")):
		return "hls"
	case bytes.HasPrefix(text, []byte("ffconcat")):
		return "concat"
	case len(head) >= 8 && quickTimeAtom[string(head[4:8])]:
		return "mov,mp4,m4a,3gp,3g2,mj2" // QuickTime from before ftyp boxes
	}
	return ""
}

// quickTimeAtom are the top-level atoms an old QuickTime file may start with.
var quickTimeAtom = map[string]bool{"moov": true, "mdat": true, "wide": true, "free": true, "skip": true, "pnot": true}
