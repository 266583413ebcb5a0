package tesseract

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// word is one word of tesseract's TSV output: where it is and what it says.
type word struct {
	line        [4]int // page, block, paragraph, line
	left, right int
	height      int
	text        string
}

// parseTSV reads tesseract's TSV output (level, page_num, block_num, par_num, line_num,
// word_num, left, top, width, height, conf, text) and returns each page's text by page number,
// lines joined with "\n". Words with a confidence below minConf are left out.
func parseTSV(out []byte, minConf float64) (map[int]string, error) {
	pages := map[int][]word{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), maxStdout)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 12 || f[0] != "5" { // the heading, and blocks, paragraphs and lines
			continue
		}
		var n [10]int
		for i := range n {
			v, err := strconv.Atoi(f[i])
			if err != nil {
				return nil, fmt.Errorf("TSV line %q: %w", sc.Text(), err)
			}
			n[i] = v
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		text := strings.TrimSpace(f[11])
		if err != nil || text == "" || conf < minConf {
			continue
		}
		pages[n[1]] = append(pages[n[1]], word{line: [4]int{n[1], n[2], n[3], n[4]},
			left: n[6], right: n[6] + n[8], height: n[9], text: text})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("TSV: %w", err)
	}
	texts := make(map[int]string, len(pages))
	for page, words := range pages {
		texts[page] = joinWords(words)
	}
	return texts, nil
}

// joinWords joins a page's words, in tesseract's reading order, into lines. Tesseract cuts
// Chinese text into "words" of one or two characters; neighbouring Chinese words are joined
// without a space, as written, unless a gap wider than a character (the line's height) parts
// them: a real gap, kept for the reader of the text. (Narrow characters such as 省 leave gaps of
// half a character between their boxes.) Other words are separated by a space.
func joinWords(words []word) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			prev := words[i-1]
			switch {
			case prev.line != w.line:
				b.WriteByte('\n')
			case !(endsCJK(prev.text) && startsCJK(w.text)) || w.left-prev.right > max(prev.height, w.height):
				b.WriteByte(' ')
			}
		}
		b.WriteString(w.text)
	}
	return b.String()
}

func startsCJK(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.Han, r)
}

func endsCJK(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.Is(unicode.Han, r)
}
