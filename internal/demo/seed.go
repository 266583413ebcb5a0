package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// accountsFile lists the demo's accounts and passwords; it is written when the seeding has
// finished, so it also marks the data folder as the demo's, complete.
const accountsFile = "demo-accounts.txt"

// OrganizerEmail is the demo organizer's sign-in.
const OrganizerEmail = "admin@demo.local"

// judge is one of the demo's judges.
type judge struct{ Email, Name, Employer string }

var judges = []judge{
	{"judge1@demo.local", "周明远", "省科技馆"},
	{"judge2@demo.local", "吴丽华", "省广播电视台"},
	{"judge3@demo.local", "郑国强", "省科普作家协会"},
}

// work is one of the demo's works, with the video its contestant uploads.
type work struct {
	Email, Lead, Employer, Title, Description string
	// Partner, when set, is a second participant who signs the 授权书 too.
	Partner string
	// Source is the ffmpeg test pattern or colour (lavfi) and Tone the sine's frequency.
	Source string
	Tone   int
	// Small makes the video 640x360: its check rejects it (below 720P), so the work stays a
	// draft and the rejection is there to see.
	Small bool
	// Credit burns the lead's name into the picture (主创：…), for the content scan to find.
	Credit bool
}

// captionFont draws the demo's credit; without it the credit is left out.
const captionFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

var works = []work{
	{"user1@demo.local", "张晓燕", "省农业科学院", "稻田里的科研日记", "跟随青年育种团队走进试验田，记录一粒种子从选育到丰收的四季。", "李建国", "testsrc", 440, false, true},
	{"user2@demo.local", "王海涛", "东南大学", "芯片上的青春", "展示集成电路实验室里的攻关日常，讲述青年工程师突破关键技术的故事。", "", "testsrc2", 523, false, false},
	{"user3@demo.local", "刘思雨", "省人民医院", "手术台前的创新", "介绍一项微创手术新技术从设想到临床应用的过程。", "陈志强", "smptehdbars", 587, false, false},
	{"user4@demo.local", "陈嘉明", "省气象局", "追风的人", "气象科技工作者用新一代雷达守护城市，镜头记录一次强对流天气的预警。", "", "rgbtestsrc", 659, false, false},
	{"user5@demo.local", "赵文博", "南京大学", "显微镜下的世界", "带观众看见细胞里的精彩，讲述基础研究者的坚持。", "", "color=c=0x1e6fa8", 698, false, false},
	{"user6@demo.local", "孙丽娟", "省水利科学研究院", "守护一江清水", "水利科研团队用数字孪生技术治理河湖的实践。", "周涛", "yuvtestsrc", 784, false, false},
	{"user7@demo.local", "李卫东", "省交通规划设计院", "跨江大桥诞生记", "从图纸到通车，工程师们攻克深水基础施工难题。", "", "mandelbrot", 880, false, false},
	{"user8@demo.local", "黄雅琪", "省中医药研究院", "本草新说", "用现代科学方法研究传统中药的青年团队。", "", "smptebars", 988, true, false},
}

// quality is how good the judges find each demo work (0 to 1): the ranking follows it.
var quality = map[string]float64{
	"稻田里的科研日记": 0.93, "芯片上的青春": 0.9, "手术台前的创新": 0.86, "追风的人": 0.82,
	"显微镜下的世界": 0.78, "守护一江清水": 0.74, "跨江大桥诞生记": 0.7, "本草新说": 0.6,
}

// Seeded reports whether the data folder holds a complete demo.
func Seeded(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, accountsFile))
	return err == nil
}

// CheckFolder refuses a data folder that holds a database the demo did not make (the
// production folder, say): the demo adds accounts and moves the clock, which no real
// contest's data may see.
func CheckFolder(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, clockFile)); err == nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "contest.db")); err == nil {
		return fmt.Errorf("%s 中已有不是演示生成的数据：演示模式只使用它自己的数据文件夹（默认 demo-data）", dir)
	}
	return nil
}

// Seed fills an empty demo: the contest, the organizer, the judges (who have chosen their
// passwords), the contestants with their works — each participant's 授权书 given, a video
// generated with ffmpeg, uploaded and checked by the background jobs, which must be running —
// then the formal review passes every submitted work and judges are assigned. It writes the
// accounts file last. ffmpeg must be installed.
func (d *Demo) Seed(ctx context.Context) error {
	if Seeded(d.dir) {
		return nil
	}
	if n, err := d.svc.Registration.CountOrganizers(ctx); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("%s 中的演示数据不完整（上次生成被中断）：请删除该文件夹后重新运行 contest demo", d.dir)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return errors.New("演示需要 ffmpeg 生成示例视频：请先安装（Debian/Ubuntu: sudo apt-get install ffmpeg）")
	}
	if _, err := d.svc.Contests.SeedContest(ctx, Contest(d.clock.Now())); err != nil {
		return err
	}
	orgPassword, password := contest.NewPassword(), contest.NewPassword()
	if _, err := d.svc.Registration.EnsureOrganizer(ctx, OrganizerEmail, orgPassword, "演示组织者"); err != nil {
		return err
	}
	sess, org, err := d.svc.Registration.SignIn(ctx, OrganizerEmail, orgPassword)
	if err != nil {
		return err
	}
	defer d.svc.Registration.SignOut(context.WithoutCancel(ctx), sess.Token)
	if err := d.setJudging(ctx, org); err != nil {
		return err
	}
	for _, j := range judges {
		if err := d.addJudge(ctx, org, j, password); err != nil {
			return fmt.Errorf("judge %s: %w", j.Email, err)
		}
	}
	tmp, err := os.MkdirTemp(filepath.Join(d.dir, "tmp"), "demo-videos-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// All the videos go up first, then each work waits for its check: the checks run meanwhile.
	entered := make([]entry, len(works))
	for i, w := range works {
		if entered[i], err = d.enter(ctx, i+1, w, password, filepath.Join(tmp, fmt.Sprintf("作品%d.mp4", i+1))); err != nil {
			return fmt.Errorf("work %s: %w", w.Title, err)
		}
	}
	var submitted []string
	for i, e := range entered {
		if err := d.submit(ctx, works[i], e); err != nil {
			return fmt.Errorf("work %s: %w", works[i].Title, err)
		}
		if !works[i].Small {
			submitted = append(submitted, e.id)
		}
	}
	for _, id := range submitted {
		if _, err := d.svc.Judging.DecideFormal(ctx, org, id, contest.FormalPassed, ""); err != nil {
			return err
		}
	}
	if _, err := d.svc.Judging.RunAssignment(ctx, org, uint64(time.Now().UnixNano())); err != nil {
		return err
	}
	return d.writeAccounts(orgPassword, password)
}

// setJudging sets what suits a handful of works: 3 judges per work, one 一等奖, two 二等奖 and
// two 三等奖.
func (d *Demo) setJudging(ctx context.Context, org contest.User) error {
	c, err := d.svc.Contests.CurrentContest(ctx)
	if err != nil {
		return err
	}
	j := c.Judging
	j.ReviewsPerWork = len(judges)
	j.Quotas = [3]contest.Quota{{Count: 1}, {Count: 2}, {Count: 2}}
	_, err = d.svc.Judging.UpdateJudging(ctx, org, j)
	return err
}

// addJudge invites a judge, who signs in with the one-time password and chooses password.
func (d *Demo) addJudge(ctx context.Context, org contest.User, j judge, password string) error {
	_, once, err := d.svc.Judging.InviteJudge(ctx, org, contest.JudgeInput{Email: j.Email, Name: j.Name, Employer: j.Employer})
	if err != nil {
		return err
	}
	sess, u, err := d.svc.Registration.SignIn(ctx, j.Email, once)
	if err != nil {
		return err
	}
	if err := d.svc.Registration.ChangePassword(ctx, u, sess.Token, once, password); err != nil {
		return err
	}
	return d.svc.Registration.SignOut(ctx, sess.Token)
}

// entry is a work entered, by its owner.
type entry struct {
	owner contest.User
	id    string
}

// enter signs a contestant up and enters the work: the 报名登记表, every participant's 授权书,
// and the video, generated into path and uploaded (its check is queued). n numbers the people.
func (d *Demo) enter(ctx context.Context, n int, w work, password, path string) (entry, error) {
	_, u, err := d.svc.Registration.SignUp(ctx, contest.SignUpInput{Email: w.Email, Password: password, Name: w.Lead})
	if err != nil {
		return entry{}, err
	}
	lead := contest.Participant{Name: w.Lead, IDType: contest.IDResident, IDNumber: idNumber("320102", 1980+n%15, n)}
	parts := []contest.Participant{lead}
	if w.Partner != "" {
		parts = append(parts, contest.Participant{Name: w.Partner, IDType: contest.IDResident, IDNumber: idNumber("320104", 1975+n%10, n+50), Employer: w.Employer})
	}
	sub, err := d.svc.Registration.CreateSubmission(ctx, u, contest.SubmissionInput{Participants: parts, Registration: contest.Registration{
		Title: w.Title, LeadName: w.Lead, Employer: w.Employer, ContactName: w.Lead, ContactIDType: contest.IDResident,
		ContactIDNumber: lead.IDNumber, Mobile: fmt.Sprintf("139%08d", 51000000+n*7), Email: w.Email, WeChat: "",
		Address: "南京市鼓楼区北京西路" + fmt.Sprint(n) + "号", PostalCode: "210008", Description: w.Description,
	}})
	if err != nil {
		return entry{}, err
	}
	for _, p := range sub.Participants {
		t, err := d.svc.Registration.ConsentAsOwner(ctx, u, sub.ID, p.ID)
		if err != nil {
			return entry{}, err
		}
		number := lead.IDNumber
		if p.Name != w.Lead {
			number = parts[1].IDNumber
		}
		if _, err := d.svc.Registration.GiveConsent(ctx, t, contest.ConsentInput{Name: p.Name, IDNumber: number, Agreed: true, IP: "127.0.0.1"}, true); err != nil {
			return entry{}, err
		}
	}
	if err := makeVideo(ctx, w, path); err != nil {
		return entry{}, err
	}
	return entry{u, sub.ID}, d.upload(ctx, u, sub.ID, path)
}

// submit waits for the check of the work's video and submits the work when it is accepted.
func (d *Demo) submit(ctx context.Context, w work, e entry) error {
	checked, err := d.waitCheck(ctx, e.owner, e.id)
	if err != nil {
		return err
	}
	if checked.Video.Check.State != contest.CheckAccepted {
		if !w.Small {
			return fmt.Errorf("video check %s: %v", checked.Video.Check.State, checked.Video.Check.Reasons)
		}
		return nil
	}
	_, err = d.svc.Registration.Finalize(ctx, e.owner, e.id)
	return err
}

// upload sends the file in parts, as a browser does, through the media service.
func (d *Demo) upload(ctx context.Context, u contest.User, subID, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	st, err := d.svc.Media.StartUpload(ctx, u, subID, contest.UploadInput{Name: filepath.Base(path), Size: int64(len(data)),
		ContentType: "video/mp4", LastModified: d.clock.Now().UnixMilli()})
	if err != nil {
		return err
	}
	up := st.Upload
	var parts []contest.PartInfo
	for n := 1; n <= up.PartCount; n++ {
		off := up.PartOffset(n)
		chunk := data[off : off+up.PartSizeOf(n)]
		sum := sha256.Sum256(chunk)
		parts = append(parts, contest.PartInfo{N: n, Size: int64(len(chunk)), SHA256: base64.StdEncoding.EncodeToString(sum[:])})
	}
	if _, err := d.svc.Media.PartTargets(ctx, u, up.ID, parts); err != nil {
		return err
	}
	for _, p := range parts {
		off := up.PartOffset(p.N)
		if err := d.svc.Media.WritePart(ctx, u, up.StorageID, p.N, p.Size, p.SHA256, bytes.NewReader(data[off:off+p.Size])); err != nil {
			return err
		}
	}
	composite, err := contest.CompositeChecksum(parts)
	if err != nil {
		return err
	}
	_, err = d.svc.Media.CompleteUpload(ctx, u, up.ID, composite)
	return err
}

// waitCheck waits for the background check of the work's video (at most two minutes).
func (d *Demo) waitCheck(ctx context.Context, u contest.User, id string) (contest.Submission, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		s, err := d.svc.Registration.Submission(ctx, u, id)
		if err != nil {
			return s, err
		}
		if v := s.Video; v != nil && (v.Check.State == contest.CheckAccepted || v.Check.State == contest.CheckRejected || v.Check.State == contest.CheckFailed) {
			return s, nil
		}
		if time.Now().After(deadline) {
			return s, errors.New("the video check did not finish in 2 minutes: are the background jobs running?")
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// makeVideo generates the work's video: 5 seconds of its test pattern with a tone, H.264 and
// AAC in MP4, 1280x720 (640x360 for the one meant to be rejected), at 5 frames a second to be
// quick on a small machine.
func makeVideo(ctx context.Context, w work, path string) error {
	size := "1280x720"
	if w.Small {
		size = "640x360"
	}
	src := w.Source + "=" // a source with options of its own (color=c=…) takes more after ":"
	if strings.Contains(w.Source, "=") {
		src = w.Source + ":"
	}
	args := []string{"-v", "error", "-y",
		"-f", "lavfi", "-i", src + "size=" + size + ":rate=5",
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d:sample_rate=22050", w.Tone)}
	if w.Credit && fileExists(captionFont) {
		// The maker's name burned into the picture, as a 片头 credit: the content scan finds
		// it, and the organizer sees it at 形式审查 (review is blind).
		args = append(args, "-vf", fmt.Sprintf("drawtext=fontfile=%s:text='主创：%s':fontsize=48:fontcolor=white:x=(w-text_w)/2:y=h-110:enable='between(t,1,4)'",
			captionFont, w.Lead))
	}
	args = append(args, "-t", "5", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-b:v", "300k",
		"-c:a", "aac", "-b:a", "32k", "-movflags", "+faststart", "-f", "mp4", path)
	if out, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg: %v: %s", err, out)
	}
	return nil
}

// idNumber is a valid 居民身份证 number (GB 11643) in region, born on a day of year, with the
// sequence seq: the check character by ISO 7064 MOD 11-2.
func idNumber(region string, year, seq int) string {
	base := fmt.Sprintf("%s%04d%02d%02d%03d", region, year, 1+seq%12, 1+seq%28, 100+seq%900)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

// writeAccounts saves the accounts file (0600): the demo prints it at every start.
func (d *Demo) writeAccounts(orgPassword, password string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "组织者 organizer: %s  密码 password: %s\n", OrganizerEmail, orgPassword)
	for _, j := range judges {
		fmt.Fprintf(&b, "评委 judge:       %s  密码 password: %s  （%s，%s）\n", j.Email, password, j.Name, j.Employer)
	}
	for _, w := range works {
		note := ""
		if w.Small {
			note = "，视频 640x360 未通过检查"
		}
		fmt.Fprintf(&b, "参赛者 contestant: %s  密码 password: %s  （%s《%s》%s）\n", w.Email, password, w.Lead, w.Title, note)
	}
	return os.WriteFile(filepath.Join(d.dir, accountsFile), []byte(b.String()), 0o600)
}

// PrintAccounts writes the demo's accounts to out.
func (d *Demo) PrintAccounts(out io.Writer) error {
	b, err := os.ReadFile(filepath.Join(d.dir, accountsFile))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n演示账号 / demo accounts (saved in %s):\n%s", filepath.Join(d.dir, accountsFile), b)
	return nil
}
