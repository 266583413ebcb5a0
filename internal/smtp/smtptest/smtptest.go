// Package smtptest is a mail server for tests that misbehaves on purpose: per connection it
// refuses a command with a reply the test chooses, stalls at a command (as a server that hangs
// or a replica killed mid-send sees it), or hands the connection to a real server (Mailpit)
// untouched.
package smtptest

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Step is what the server does on one connection.
type Step struct {
	// Relay, if set, is a real server's host:port: the connection is passed to it as it is.
	Relay string
	// At is the command (MAIL, RCPT or DATA) answered with Reply instead of accepted; the
	// commands before it are accepted.
	At string
	// Reply is the answer to At, such as "550 5.1.1 mailbox unavailable"; empty: the server
	// stops answering at At and holds the connection open.
	Reply string
}

// Server is the misbehaving server.
type Server struct {
	Addr string // host:port to send to

	plan    func(conn int) Step
	stalled chan struct{}
	mu      sync.Mutex
	conns   int
}

// Start listens on a free port of 127.0.0.1; plan says what to do on each connection,
// numbered from 1. The server stops at the end of the test.
func Start(tb testing.TB, plan func(conn int) Step) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), plan: plan, stalled: make(chan struct{}, 16)}
	var open sync.WaitGroup
	var mu sync.Mutex
	var live []net.Conn
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range live {
			c.Close()
		}
		mu.Unlock()
		open.Wait()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			live = append(live, c)
			mu.Unlock()
			s.mu.Lock()
			s.conns++
			n := s.conns
			s.mu.Unlock()
			open.Add(1)
			go func() {
				defer open.Done()
				defer c.Close()
				s.serve(c, s.plan(n))
			}()
		}
	}()
	return s
}

// Conns is how many connections the server has had.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Stalled receives once each time a connection reaches a Step's At with no Reply.
func (s *Server) Stalled() <-chan struct{} { return s.stalled }

func (s *Server) serve(c net.Conn, st Step) {
	if st.Relay != "" {
		relay(c, st.Relay)
		return
	}
	r := bufio.NewReader(c)
	say := func(line string) bool { _, err := io.WriteString(c, line+"\r\n"); return err == nil }
	if !say("220 smtptest ESMTP") {
		return
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		if st.At != "" && verb == st.At {
			if st.Reply == "" {
				select {
				case s.stalled <- struct{}{}:
				default:
				}
				io.Copy(io.Discard, r) // hold on until the client goes
				return
			}
			if !say(st.Reply) {
				return
			}
			continue
		}
		var ok bool
		switch verb {
		case "EHLO":
			ok = say("250-smtptest") && say("250 8BITMIME")
		case "QUIT":
			say("221 bye")
			return
		case "DATA":
			if ok = say("354 go on"); ok {
				for ok {
					l, err := r.ReadString('\n')
					ok = err == nil
					if l == ".\r\n" {
						break
					}
				}
				ok = ok && say("250 accepted")
			}
		default: // HELO, MAIL, RCPT, NOOP, RSET
			ok = say("250 ok")
		}
		if !ok {
			return
		}
	}
}

// relay passes the connection c to the server at addr and back, until either side closes.
func relay(c net.Conn, addr string) {
	up, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
}
