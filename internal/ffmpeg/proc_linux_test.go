package ffmpeg

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The poster and web-copy runs yield the CPU: their process gets a lower priority.
func TestYieldCPU_LowersThePriorityOfTheProcess(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer cmd.Process.Kill()
	yieldCPU(cmd.Process.Pid, copyNice)
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command's name (in parentheses): state is field 3, nice field 19.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	if nice := fields[16]; nice != strconv.Itoa(copyNice) {
		t.Errorf("nice %s, want %d", nice, copyNice)
	}
}
