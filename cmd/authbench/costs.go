package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// costs is what the server and its database had spent at one instant:
// the server process's CPU time and, on PostgreSQL, the write-ahead log's
// position and the transaction counter. Two of them around a workload give
// its unit costs, which do not depend on how busy the machine is the way
// throughput does (docs/scaling.md builds on them).
type costs struct {
	cpuTicks int64 // utime + stime of the server, in clock ticks
	walLSN   int64 // pg_current_wal_lsn() in bytes
	xid      int64 // pg_current_xact_id(): write transactions so far
	ok, db   bool
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat's times;
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// costMeter reads costs; its connection is nil without a database.
type costMeter struct {
	srv  *server
	conn *pgx.Conn
}

func newCostMeter(ctx context.Context, srv *server, databaseURL string) (*costMeter, error) {
	m := &costMeter{srv: srv}
	if databaseURL == "" {
		return m, nil
	}
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("cost meter: %w", err)
	}
	m.conn = conn
	return m, nil
}

func (m *costMeter) close(ctx context.Context) {
	if m.conn != nil {
		_ = m.conn.Close(ctx)
	}
}

// read takes a snapshot; ok is false when the server is not authbench's
// child (its CPU time cannot be read).
func (m *costMeter) read(ctx context.Context) costs {
	var c costs
	if m.srv.cmd != nil && m.srv.cmd.Process != nil {
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", m.srv.cmd.Process.Pid)); err == nil {
			// Fields after the command name, which is in parentheses: state
			// is field 3, utime 14 and stime 15.
			if i := strings.LastIndexByte(string(data), ')'); i >= 0 {
				f := strings.Fields(string(data[i+1:]))
				if len(f) > 12 {
					u, _ := strconv.ParseInt(f[11], 10, 64)
					s, _ := strconv.ParseInt(f[12], 10, 64)
					c.cpuTicks, c.ok = u+s, true
				}
			}
		}
	}
	if m.conn != nil {
		// pg_current_xact_id() takes a transaction id itself: the
		// difference of two readings is one more than the server's writes.
		err := m.conn.QueryRow(ctx, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, pg_current_xact_id()::text::bigint").Scan(&c.walLSN, &c.xid)
		c.db = err == nil
	}
	return c
}

// unit fills res's unit costs from the snapshots before and after it.
func unit(res *result, before, after costs) {
	n := float64(res.Requests)
	if n == 0 {
		return
	}
	if before.ok && after.ok {
		res.CPUMicros = float64(after.cpuTicks-before.cpuTicks) * (1e6 / clockTicks) / n
	}
	if before.db && after.db {
		res.WALBytes = float64(after.walLSN-before.walLSN) / n
		res.WriteXacts = float64(after.xid-before.xid-1) / n
	}
}
