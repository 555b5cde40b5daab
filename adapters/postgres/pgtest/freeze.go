package pgtest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Freeze stops every process of the server with SIGSTOP: the postmaster and
// its backends, found by PID (its postmaster.pid and /proc), never by a name
// pattern. Statements in flight stay half done and clients wait, as they do
// when a database host hangs or its network stalls; Thaw lets them finish,
// so a statement a client gave up on can still commit. It returns the
// processes stopped, for Thaw.
func (c *Cluster) Freeze() ([]int, error) {
	pids, err := c.processes()
	if err != nil {
		return nil, err
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			return pids, fmt.Errorf("freeze %d: %w", pid, err)
		}
	}
	return pids, nil
}

// Thaw continues the processes Freeze stopped.
func (c *Cluster) Thaw(pids []int) error {
	var first error
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil && first == nil {
			first = fmt.Errorf("thaw %d: %w", pid, err)
		}
	}
	return first
}

// processes returns the postmaster's PID and its children's.
func (c *Cluster) processes() ([]int, error) {
	f, err := os.Open(filepath.Join(c.data(), "postmaster.pid"))
	if err != nil {
		return nil, fmt.Errorf("the server is not running: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return nil, fmt.Errorf("empty postmaster.pid")
	}
	postmaster, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
	if err != nil {
		return nil, fmt.Errorf("postmaster.pid: %w", err)
	}
	pids := []int{postmaster}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The fields after the command, which is in parentheses and may
		// hold spaces: state, then the parent's PID.
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(postmaster) {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}
