package http

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// auditChange is one field of an audit entry as the page shows it: 字段：旧值 → 新值. A field
// only after (a new thing) has no Old; one only before (removed) has no New.
type auditChange struct {
	Label          string
	Old, New       string
	HasOld, HasNew bool
}

// auditFieldLabels name the keys of the audit log's before/after JSON in Chinese. A key may be
// qualified by its entity ("contest.name") where the same key means different things.
var auditFieldLabels = map[string]string{
	"contest.name": "活动名称", "judge.name": "姓名", "notice_template.subject": "邮件标题",
	"objection.decision": "处理意见", "objection.reason": "异议理由",
	"round": "轮次", "shortlist": "入围名额", "advanced": "入围作品", "award_moves": "作废的奖项调整", "reviews_per_work": "每件作品评委人数",
	"decision": "结论", "reason": "原因", "name": "名称", "theme": "主题", "organizer": "主办单位",
	"time_zone": "时区", "collection_start": "征集开始", "collection_end": "征集截止", "review_start": "评审开始",
	"review_end": "评审截止", "rules": "视频要求", "authorization_text": "授权书文本",
	"require_email_verification": "需要验证邮箱", "email": "邮箱", "employer": "工作单位", "disabled": "已停用",
	"role": "角色", "expires_at": "有效期至", "subject": "标题", "body": "正文", "scores": "评分", "comment": "评语",
	"submitted": "已提交", "total": "合计", "tier": "奖项", "proposed": "建议奖项", "version": "版本",
	"awards": "奖项名单", "confirmed_at": "确认时间", "publicity_start": "公示开始", "published_at": "发布时间",
	"until": "公示截止", "results": "结果数", "certificates": "证书数", "revoked": "作废证书数",
	"recommended": "推荐至全国", "title": "作品名称", "work": "作品", "status": "状态", "judge": "评委",
	"removed": "撤下的分配", "added": "新增的分配", "assignments": "分配数", "works": "作品数", "judges": "评委数",
	"short": "评委不足的作品数", "kind": "内容", "size": "大小", "sheet": "表格", "closed_at": "结束时间",
	"purged_at": "清除时间", "participants": "参与人员", "scans": "扫描件", "objections": "异议", "now": "演示时间", "step": "阶段",
	"flagged": "评奖不稳定的作品", "waiting": "等待评分的作品", "no_judge": "无评委可加的作品", "reopened": "重新开启评审",
	"reassigned_to": "改派给", "by_email": "邮件邀请", "Rubric": "评分标准", "ReviewsPerWork": "每件作品评委数", "Quotas": "奖项名额",
	"Normalize": "按评委标准化计分", "ClosedAt": "评审结束时间", "AwardsConfirmedAt": "奖项确认时间",
	"AwardsVersion": "奖项版本", "key": "代码", "hint": "说明", "max_points": "满分", "weight": "权重",
	"Count": "名额（件）", "Percent": "名额（%）", "PublicityDays": "公示天数", "RetentionDays": "个人信息保存天数",
	"Certificate": "证书", "Heading": "标题", "Body": "正文", "Issuer": "颁发单位", "Date": "落款日期",
	"PerParticipant": "每位参与人员一份", "Container": "格式", "MaxDurationSec": "最长时长（秒）",
	"MinShortSide": "最小短边（像素）", "MaxSizeBytes": "最大文件大小",
	"categories": "组别", "ByCategory": "评委按组别评审", "JudgeCategories": "评委的评审组别",
}

// auditValueLabels name the codes that appear as values (decisions, statuses, roles, kinds).
var auditValueLabels = map[string]string{
	"passed": "通过", "excluded": "不通过", "open": "待处理", "upheld": "异议成立", "dismissed": "异议不成立",
	"organizer": "组织者", "judge": "评委", "contestant": "参赛者", contest.ExportCertificates: "全部获奖证书",
	contest.ExportNational: "推荐至全国作品包", "review": "评审中", "publicity": "公示中", "ready": "公示期满",
}

func init() {
	for _, c := range contest.DefaultRubric() {
		auditFieldLabels["review."+c.Key] = c.Name // "theme" is the contest's theme elsewhere
		if _, ok := auditFieldLabels[c.Key]; !ok {
			auditFieldLabels[c.Key] = c.Name
		}
	}
}

// auditFieldLabel names a key of an entry of the given entity; an unknown key stays as it is.
func auditFieldLabel(entity, key string) string {
	if l, ok := auditFieldLabels[entity+"."+key]; ok {
		return l
	}
	return labelOr(auditFieldLabels, key)
}

// auditDiff turns an entry's before and after JSON into the fields that changed, labelled in
// Chinese: nested settings are compared leaf by leaf, unchanged fields are left out. A value
// that is not a JSON object is shown whole under "内容". names turn account ids (the "judge"
// field) into names.
func auditDiff(entity, before, after string, names map[string]string) []auditChange {
	was, is := flattenAudit(entity, before, names), flattenAudit(entity, after, names)
	var keys []string
	for k := range was {
		keys = append(keys, k)
	}
	for k := range is {
		if _, ok := was[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []auditChange
	awards, more := 0, -1 // changed awards, and where the ones not shown are counted
	for _, k := range keys {
		o, hasOld := was[k]
		n, hasNew := is[k]
		if hasOld && hasNew && o.value == n.value {
			continue
		}
		if strings.HasPrefix(k, "awards.") { // one line per work: capped as lists are
			if awards++; awards > contest.AuditListMax {
				if more < 0 {
					more = len(out)
				}
				continue
			}
		}
		label := o.label
		if !hasOld {
			label = n.label
		}
		out = append(out, auditChange{Label: label, Old: o.value, New: n.value, HasOld: hasOld, HasNew: hasNew})
	}
	if more >= 0 { // the CSV keeps them all
		rest := auditChange{Label: auditFieldLabel(entity, "awards"), New: fmt.Sprintf("……共 %d 项", awards), HasNew: true}
		out = slices.Insert(out, more, rest)
	}
	return out
}

// auditLeaf is one flattened field: its label and its value as shown.
type auditLeaf struct{ label, value string }

// flattenAudit reads a JSON document into its leaves, keyed by path.
func flattenAudit(entity, doc string, names map[string]string) map[string]auditLeaf {
	out := map[string]auditLeaf{}
	if strings.TrimSpace(doc) == "" {
		return out
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		out[""] = auditLeaf{"内容", doc}
		return out
	}
	m, ok := v.(map[string]any)
	if !ok {
		out[""] = auditLeaf{"内容", auditValue("", v, names)}
		return out
	}
	var walk func(path, label string, key string, v any)
	walk = func(path, label, key string, v any) {
		switch x := v.(type) {
		case nil: // nothing there: a field first set shows as new, not as "（空）" → value
		case map[string]any:
			for k, e := range x {
				sub := auditFieldLabel(entity, k)
				if title, ok := names[k]; ok && key == "awards" {
					sub = "《" + title + "》"
				}
				walk(path+"."+k, label+" · "+sub, k, e)
			}
		case []any:
			if !hasObjects(x) {
				out[path] = auditLeaf{label, auditValue(key, x, names)}
				return
			}
			for i, e := range x {
				n := fmt.Sprintf("%03d", i)
				walk(path+"."+n, label+" · 第"+strconv.Itoa(i+1)+"项", "", e)
			}
		default:
			out[path] = auditLeaf{label, auditValue(key, v, names)}
		}
	}
	for k, e := range m {
		walk(k, auditFieldLabel(entity, k), k, e)
	}
	return out
}

func hasObjects(xs []any) bool {
	for _, x := range xs {
		switch x.(type) {
		case map[string]any, []any:
			return true
		}
	}
	return false
}

// auditValue shows one value: times in Beijing time, yes/no, codes in Chinese, judges by name.
func auditValue(key string, v any, names map[string]string) string {
	switch x := v.(type) {
	case nil:
		return "（空）"
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		if key == "size" || key == "MaxSizeBytes" {
			return contest.FormatBytes(int64(x))
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		if x == "" {
			return "（空）"
		}
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.In(beijing).Format("2006-01-02 15:04")
		}
		if n, ok := names[x]; ok && key == "judge" {
			return n
		}
		if n, ok := names[x]; ok && key == "work" {
			return "《" + n + "》"
		}
		if w, j, ok := strings.Cut(x, ":"); ok && names[w] != "" && names[j] != "" {
			return "《" + names[w] + "》—" + names[j] // an assignment: work and judge
		}
		if l, ok := auditValueLabels[x]; ok && (key == "decision" || key == "status" || key == "role" || key == "kind" || key == "step") {
			return l
		}
		return x
	case []any:
		if len(x) == 0 {
			return "（无）"
		}
		if len(x) > contest.AuditListMax { // the CSV keeps them all
			return fmt.Sprintf("共 %d 项", len(x))
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = auditValue(key, e, names)
		}
		return strings.Join(parts, "、")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// auditSubject is the human name of what an entry changed: the work's title, the account's
// name, the objected work, the export's content or the notice's kind.
func auditSubject(a contest.AuditEntry, names map[string]string) string {
	name, known := names[a.EntityID]
	switch a.RefKind() {
	case contest.RefWork:
		if known {
			return "《" + name + "》"
		}
		return "作品（已删除）"
	case contest.RefUser:
		if known {
			return name
		}
		return "账号（已删除）"
	case contest.RefObjection:
		if known {
			return "对《" + name + "》的异议"
		}
		return "异议"
	case contest.RefExport:
		var m struct{ Kind string }
		if json.Unmarshal([]byte(a.After), &m) == nil && m.Kind != "" {
			return labelOr(auditValueLabels, m.Kind)
		}
		return "导出文件"
	case contest.RefNotice:
		if k, ok := contest.NoticeKindOf(contest.NotificationKind(a.EntityID)); ok {
			return k.Label
		}
		return a.EntityID
	}
	return "本届活动"
}
