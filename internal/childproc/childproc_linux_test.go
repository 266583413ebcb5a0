package childproc

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// A tool that yields gets the lower priority asked for.
func TestYield_LowersThePriorityOfTheProcess(t *testing.T) {
	for _, nice := range []int{10, 19} {
		cmd := exec.Command("sleep", "5")
		if err := cmd.Start(); err != nil {
			t.Skip("no sleep command:", err)
		}
		Yield(cmd.Process.Pid, nice)
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if err != nil {
			t.Fatal(err)
		}
		// Fields after the command's name (in parentheses): state is field 3, nice field 19.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		if got := fields[16]; got != strconv.Itoa(nice) {
			t.Errorf("nice %s, want %d", got, nice)
		}
	}
}
