package pdf

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// monospace measures a Chinese character as 1 and anything else as 0.5.
func monospace(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x80 {
			w += 0.5
		} else {
			w++
		}
	}
	return w
}

func TestWrap_BreaksChineseByWidthKeepingNamesAndMarksInPlace(t *testing.T) {
	for _, tc := range []struct {
		name          string
		text          string
		width, indent float64
		want          []string
	}{
		{"fits", "特发此证，以资鼓励。", 20, 0, []string{"特发此证，以资鼓励。"}},
		{"sentence breaks anywhere", "你们创作的作品在大赛中荣获一等奖", 6, 0,
			[]string{"你们创作的作", "品在大赛中荣", "获一等奖"}},
		{"first line indented", "你们创作的作品在大赛中荣获一等奖", 6, 2,
			[]string{"你们创作", "的作品在大赛", "中荣获一等奖"}},
		{"names stay whole", "张伟、欧阳娜娜、王芳", 6, 0, []string{"张伟、", "欧阳娜娜、", "王芳"}},
		{"closing mark hangs rather than start a line", "在大赛中荣获一等奖。", 9, 0,
			[]string{"在大赛中荣获一等奖。"}},
		{"opening mark moves down with its title", "作品作品作《量子》", 6, 0, []string{"作品作品作", "《量子》"}},
		{"latin word and number stay whole", "在2022年的contest中", 8, 0, []string{"在2022年的", "contest中"}},
		{"over-long latin word is cut anywhere", "https://contest.example.org/verify/1", 6, 0,
			[]string{"https://cont", "est.example.", "org/verify/1"}},
		{"empty paragraph is one blank line", "", 6, 0, []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.text, tc.width, tc.indent, monospace)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("wrap(%q) (-want +got):\n%s", tc.text, diff)
			}
			for i, l := range got {
				limit := tc.width
				if i == 0 {
					limit -= tc.indent
				}
				if w := monospace(l); w > limit+1 { // a hanging mark may pass the edge
					t.Errorf("line %q is %v wide, limit %v", l, w, limit)
				}
			}
		})
	}
}
