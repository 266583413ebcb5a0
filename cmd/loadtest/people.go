package main

import (
	"fmt"
	"time"

	"github.com/jskx/contest/internal/contest"
)

// A contestant's made-up but valid registration data: Chinese names, a 报名登记表 that passes
// every check, and ID numbers (GB 11643) that are distinct within a run.

var (
	surnames   = []string{"张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"}
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "建国", "晓东", "志强", "海燕", "文博"}
	employers  = []string{"省农业科学院", "南京大学", "东南大学", "省人民医院", "省气象局", "中国科学院南京土壤研究所", "省疾病预防控制中心", "南京林业大学"}
	regions    = []string{"320102", "320106", "110105", "310104", "440305", "510104", "330106", "420111"}
)

// person is one participant.
type person struct {
	Name     string
	IDNumber string
}

// personName is the i-th name of the run.
func personName(i int) string {
	return surnames[i%len(surnames)] + givenNames[(i/len(surnames))%len(givenNames)]
}

// idNumber returns a 居民身份证 number for k (0 ≤ k < 10 000 000) that no other k of the same
// salt gets: a real birth date from 1960 on, chosen by k and the salt, the sequence code by k's
// block of 10 000, and the ISO 7064 MOD 11-2 check character.
func idNumber(k, salt int) string {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (k+salt)%10000)
	body := fmt.Sprintf("%s%s%03d", regions[salt%len(regions)], birth.Format("20060102"), (k/10000)%1000)
	return body + string(contest.IDCheckChar(body))
}

// form is contestant i's 报名登记表 with its team: the lead (who is also the contact) and a
// second participant.
type form struct {
	Title string
	Lead  person
	Other person
	Body  map[string]any // the createSubmission body
}

func newForm(run string, i, salt int) form {
	lead := person{Name: personName(2 * i), IDNumber: idNumber(2*i, salt)}
	other := person{Name: personName(2*i + 1), IDNumber: idNumber(2*i+1, salt)}
	employer := employers[i%len(employers)]
	title := fmt.Sprintf("创新争先第%d号作品（%s）", i+1, run)
	body := map[string]any{
		"registration": map[string]any{
			"title": title, "lead_name": lead.Name, "employer": employer,
			"contact_name": lead.Name, "contact_id_type": "resident", "contact_id_number": lead.IDNumber,
			"mobile": fmt.Sprintf("139%08d", (i+salt)%100000000), "email": contestantEmail(run, i),
			"wechat": fmt.Sprintf("wx_%s_%d", run, i), "address": fmt.Sprintf("南京市玄武区孝陵卫街%d号", i%200+1),
			"postal_code": "210014", "description": "记录青年科技工作者在实验室和田间地头的一天，展现创新争先、自立自强的精神。",
		},
		"participants": []map[string]any{
			{"name": lead.Name, "id_type": "resident", "id_number": lead.IDNumber},
			{"name": other.Name, "id_type": "resident", "id_number": other.IDNumber, "employer": employers[(i+1)%len(employers)]},
		},
	}
	return form{Title: title, Lead: lead, Other: other, Body: body}
}

func contestantEmail(run string, i int) string { return fmt.Sprintf("load-%s-%d@example.org", run, i) }

// clientAddr is contestant i's address as a trusted proxy reports it (X-Forwarded-For): one
// of 10.0.0.0/8, distinct for every i below 16 million; the consent link's participant is
// elsewhere (100.64.0.0/10).
func clientAddr(i int, participant bool) string {
	if participant {
		return fmt.Sprintf("100.%d.%d.%d", 64+(i>>16)%64, (i>>8)&255, i&255)
	}
	i++ // not 10.0.0.0
	return fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255)
}
