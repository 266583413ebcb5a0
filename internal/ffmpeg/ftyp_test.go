package ffmpeg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/jskx/contest/internal/contest"

	"github.com/google/go-cmp/cmp"
)

func box(typ string, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

func ftypBody(major string, minor uint32, compat ...string) []byte {
	b := binary.BigEndian.AppendUint32([]byte(major), minor)
	for _, c := range compat {
		b = append(b, c...)
	}
	return b
}

func TestParseFtyp(t *testing.T) {
	mp4 := box("ftyp", ftypBody("isom", 512, "isom", "iso2", "avc1", "mp41"))
	large := append(binary.BigEndian.AppendUint64(append(binary.BigEndian.AppendUint32(nil, 1), "ftyp"...), 16+12),
		ftypBody("qt  ", 0x20050300, "qt  ")...)
	tests := []struct {
		name    string
		in      []byte
		want    Ftyp
		wantErr error
	}{
		{"mp4", append(mp4, box("free", nil)...), Ftyp{"isom", 512, []string{"isom", "iso2", "avc1", "mp41"}}, nil},
		{"64-bit size", large, Ftyp{"qt  ", 0x20050300, []string{"qt  "}}, nil},
		{"truncated keeps complete brands", mp4[:8+8+6], Ftyp{"isom", 512, []string{"isom"}}, nil},
		{"no compatible brands", box("ftyp", ftypBody("mp42", 0)), Ftyp{"mp42", 0, nil}, nil},
		{"matroska", []byte{0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01}, Ftyp{}, ErrNoFtyp},
		{"moov first (old QuickTime)", box("moov", make([]byte, 16)), Ftyp{}, ErrNoFtyp},
		{"empty", nil, Ftyp{}, ErrNoFtyp},
		{"header only", mp4[:8], Ftyp{}, ErrNoFtyp},
		{"size smaller than header", append([]byte{0, 0, 0, 4}, "ftypisom\x00\x00\x00\x00"...), Ftyp{}, ErrNoFtyp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFtyp(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWalkBoxes_FindsTruncationAndLayout(t *testing.T) {
	ftyp, moov, mdat := box("ftyp", ftypBody("isom", 0, "isom")), box("moov", make([]byte, 20)), box("mdat", make([]byte, 100))
	join := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	whole := join(ftyp, moov, mdat)
	l, err := walkBoxes(bytes.NewReader(whole), int64(len(whole)))
	if err != nil || !l.faststart() {
		t.Errorf("moov first: layout %+v err %v, want faststart", l, err)
	}
	late := join(ftyp, mdat, moov)
	if l, err := walkBoxes(bytes.NewReader(late), int64(len(late))); err != nil || l.faststart() || l.mdat != int64(len(ftyp)) {
		t.Errorf("moov last: layout %+v err %v, want not faststart, mdat at %d", l, err, len(ftyp))
	}
	half := whole[:len(whole)-40]
	if _, err := walkBoxes(bytes.NewReader(half), int64(len(half))); !errors.Is(err, errTruncated) {
		t.Errorf("truncated file: err = %v, want errTruncated", err)
	}
}

// FuzzParseFtyp checks that untrusted file starts never panic the parser or the box walk, and
// that the work stays bounded.
func FuzzParseFtyp(f *testing.F) {
	f.Add(box("ftyp", ftypBody("isom", 512, "isom", "iso2", "avc1", "mp41")))
	f.Add(box("ftyp", ftypBody("qt  ", 0, "qt  ")))
	f.Add([]byte{0, 0, 0, 1, 'f', 't', 'y', 'p', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'm', 'p', '4', '2'})
	f.Add([]byte{0, 0, 0, 0, 'f', 't', 'y', 'p', 'M', '4', 'A', ' ', 0, 0, 0, 0})
	f.Add([]byte{0x1a, 0x45, 0xdf, 0xa3})
	f.Fuzz(func(t *testing.T, b []byte) {
		ft, err := ParseFtyp(b)
		if err == nil {
			if len(ft.MajorBrand) != 4 || len(ft.CompatibleBrands) > maxFtypBrands || len(ft.CompatibleBrands)*4 > len(b) {
				t.Fatalf("implausible result %+v from %d bytes", ft, len(b))
			}
		}
		_, _ = walkBoxes(bytes.NewReader(b), int64(len(b)))
	})
}

// FuzzParseProbe feeds ffprobe-shaped JSON, whose tags and side data come from the uploaded
// file, to the parser: it never panics, and what it accepts is a consistent measurement.
func FuzzParseProbe(f *testing.F) {
	f.Add([]byte(`{"streams":[{"codec_type":"video","codec_name":"h264","width":1080,"height":1920,"duration":"12.5",` +
		`"side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}]},{"codec_type":"audio","codec_name":"aac"}],` +
		`"format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"12.5"}}`))
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":-5,"height":1e9,"tags":{"rotate":"NaN"},"disposition":{"attached_pic":1}}],"format":{"duration":"inf"}}`))
	f.Add([]byte(`{"streams":[],"format":{}}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":1920,"height":1080,"duration":"NaN"}],"format":{"duration":"NaN"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var facts contest.VideoFacts
		if err := parseProbe(b, &facts); err != nil {
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("error %v does not wrap ErrUnreadable", err)
			}
			return
		}
		if !(facts.DurationSec > 0) || math.IsInf(facts.DurationSec, 0) || facts.Rotation%90 != 0 || facts.Rotation < 0 || facts.Rotation > 270 {
			t.Fatalf("implausible facts %+v", facts)
		}
		if w, h := contest.DisplaySize(facts.StoredWidth, facts.StoredHeight, facts.Rotation); w != facts.DisplayWidth || h != facts.DisplayHeight {
			t.Fatalf("display %dx%d does not follow from %+v", facts.DisplayWidth, facts.DisplayHeight, facts)
		}
	})
}
