package http_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/jskx/contest/internal/ffmpeg/ffmpegtest"
)

// TestBrowser_UploadVideo uploads a generated video through the submission page in headless
// Chromium, on both backends: to our own part route (local folder), and cross-origin straight
// to MinIO with presigned URLs. On the second the page is told it is not a secure context, so
// the script's own SHA-256 runs instead of WebCrypto (as on a plain-HTTP LAN address).
func TestBrowser_UploadVideo(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		// A real MP4 padded with a `free` box (players skip it) to 11 MiB: three 5 MiB parts.
		src := ffmpegtest.MustVideo(t, ffmpegtest.Video{})
		path := filepath.Join(t.TempDir(), "我的作品 final.mp4")
		video, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		pad := make([]byte, 11<<20-len(video))
		rand.Read(pad)
		binary.BigEndian.PutUint32(pad, uint32(len(pad)))
		copy(pad[4:], "free")
		video = append(video, pad...)
		if err := os.WriteFile(path, video, 0o600); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(video)

		c := e.Client().SignUp("zhang@example.org")
		s := c.Create(nil)
		b := MustBrowser(t, e.Server.URL, 90*time.Second)
		fallback := strings.Contains(t.Name(), "minio")
		if fallback {
			b.Do("pretend an insecure context", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
					Source: `Object.defineProperty(window, 'isSecureContext', {get: () => false});`})
				return chromedp.Void{}, err
			})
		}
		b.Open("/login")
		b.Submit("sign in",
			Fill(`main form [name="email"]`, "zhang@example.org"),
			Fill(`main form [name="password"]`, "secret-pass"),
			chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		)
		b.Open("/submissions/" + s.ID)
		if got := b.Text("#video"); !strings.Contains(got, "未上传") && !strings.Contains(got, "拖到这里") {
			b.Errorf("video section before upload = %q", got)
		}
		if fallback && Eval[bool](b, `window.isSecureContext`) {
			b.Fatalf("the page still reports a secure context")
		}
		b.Do("pick the video", chromedp.SetUploadFiles(chromedp.CSS("#video-file"), []string{path}))
		b.Do("wait for the progress bar", chromedp.WaitVisible(chromedp.CSS(".uploader .progress")))
		b.Screenshot("upload-progress-" + map[bool]string{true: "minio", false: "local"}[fallback])
		// The page reloads when the upload has completed and shows the stored file.
		b.Do("wait for the finished upload", chromedp.WaitVisible(chromedp.CSS(".current-video")))
		if got := b.Text(".current-video"); !strings.Contains(got, "我的作品 final.mp4") || !strings.Contains(got, "11MB") {
			b.Errorf("after upload the page shows %q, want the file name and 11MB", got)
		}
		b.Screenshot("upload-done-" + map[bool]string{true: "minio", false: "local"}[fallback])
		// The page follows the check by itself and shows the verdict, the poster and the player.
		b.Do("wait for the finished check", chromedp.WaitVisible(chromedp.CSS("#video-check:not([data-pending]) img.poster")))
		if got := b.Text("#video-check"); !strings.Contains(got, "已通过") || !strings.Contains(got, "1280×720") {
			b.Errorf("verdict on the page = %q, want 已通过 with 1280×720", got)
		}
		if !Eval[bool](b, `(() => { const i = document.querySelector("#video-check img.poster"); return i.complete && i.naturalWidth > 0; })()`) {
			b.Errorf("the poster frame did not load")
		}
		if n := Eval[int](b, `document.querySelectorAll("video.player").length`); n != 1 {
			b.Errorf("%d players on the page, want 1", n)
		}
		b.Screenshot("check-accepted-" + map[bool]string{true: "minio", false: "local"}[fallback])

		stored, n := c.VideoSHA256(s.ID)
		if stored != hex.EncodeToString(sum[:]) || n != int64(len(video)) {
			t.Errorf("stored video: sha256 %s, %d bytes; picked file: %x, %d bytes", stored, n, sum, len(video))
		}
		sub, err := e.Stores.SubmissionByID(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Video == nil || !strings.HasSuffix(sub.Video.Checksum, "-3") || sub.Uploading != nil {
			t.Errorf("stored video %+v, uploading %+v; want a 3-part checksum and no open upload", sub.Video, sub.Uploading)
		}
		if strings.Contains(sub.Video.Key, "final") || !strings.HasPrefix(sub.Video.Key, "videos/") {
			t.Errorf("storage key %q holds the user's file name", sub.Video.Key)
		}
		if errs := b.JSErrors(); len(errs) > 0 {
			t.Errorf("script errors on the page:\n%s", strings.Join(errs, "\n"))
		}
	})
}
