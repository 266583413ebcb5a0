package contest

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// writeNational writes the recommended works into z: a spreadsheet listing them and each
// video as uploaded (the original, in full quality).
func (s *ReportService) writeNational(ctx context.Context, c Contest, z *zip.Writer, progress func(done, total int) error) error {
	if s.spreadsheets == nil {
		return Errorf(EUnavailable, "表格导出不可用")
	}
	works, err := s.recommendedWorks(ctx, c)
	if err != nil {
		return err
	}
	sheet := Sheet{Name: "推荐作品", Columns: []Column{{"序号", 6}, {"作品名称", 30}, {"主创及参与人员", 30}, {"工作单位", 28},
		{"奖项", 8}, {"时长（秒）", 10}, {"分辨率", 12}, {"视频文件", 36}, {"在线观看", 60}}}
	// Once published, the gallery plays the works: a link for whoever prefers not to download.
	link := func(id string) string {
		if c.Publication.PublishedAt == nil || s.pub.baseURL == "" {
			return ""
		}
		return strings.TrimRight(s.pub.baseURL, "/") + c.Path() + "/showcase/" + id + "/video"
	}
	names := make([]string, len(works))
	for i, w := range works {
		names[i] = fmt.Sprintf("videos/%03d_%s.mp4", i+1, safeName(w.sub.Registration.Title, 40))
		var dur any = ""
		res := ""
		if f := w.sub.Video.Check.Facts; f.HasVideo {
			dur = round1(f.DurationSec)
			res = fmt.Sprintf("%d×%d", f.DisplayWidth, f.DisplayHeight)
		}
		sheet.Rows = append(sheet.Rows, []any{i + 1, w.sub.Registration.Title, strings.Join(creators(w.sub), "、"),
			w.sub.Registration.Employer, w.tier.Label(), dur, res, names[i], link(w.sub.ID)})
	}
	wx, err := z.Create("推荐至全国作品清单.xlsx")
	if err != nil {
		return err
	}
	if err := s.spreadsheets.WriteSpreadsheet(wx, sheet); err != nil {
		return err
	}
	for i, w := range works {
		rc, err := s.storage.Get(ctx, w.sub.Video.Key)
		if err != nil {
			return err
		}
		// Videos are compressed already: stored as they are.
		wv, err := z.CreateHeader(&zip.FileHeader{Name: names[i], Method: zip.Store, Modified: w.sub.Video.UploadedAt})
		if err == nil {
			_, err = io.Copy(wv, rc)
		}
		rc.Close()
		if err != nil {
			return err
		}
		if err := progress(i+1, len(works)); err != nil {
			return err
		}
	}
	return progress(len(works), len(works))
}

type recommendedWork struct {
	sub  Submission
	tier Tier
}

// recommendedWorks lists the recommended works that have a video, by rank (works not ranked
// last), with their award as it stands.
func (s *ReportService) recommendedWorks(ctx context.Context, c Contest) ([]recommendedWork, error) {
	rec, err := s.recommendations.Recommended(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	t, err := s.judging.awardTable(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []recommendedWork
	seen := map[string]bool{}
	add := func(id string, tier Tier) {
		if w, ok := t.works[id]; ok && rec[id] && w.Video != nil && !seen[id] {
			seen[id] = true
			out = append(out, recommendedWork{sub: w, tier: tier})
		}
	}
	for _, a := range t.Awards {
		add(a.WorkID, a.Final)
	}
	for _, id := range slices.Sorted(maps.Keys(t.works)) {
		add(id, TierNone)
	}
	return out, nil
}
