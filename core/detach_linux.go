//go:build linux

package core

import "syscall"

// detachSupported: Linux has epoll, so streams can be detached.
const detachSupported = true

// poller watches detached connections for hang-ups with an epoll instance
// of its own (the runtime's netpoller keeps watching the same sockets for
// the net package). Each connection is armed once for EPOLLRDHUP (the
// client closed or shut down its side; EPOLLHUP and EPOLLERR are always
// reported): a GET stream has nothing more to read, so nothing else is
// watched. The event carries the stream's id, never its descriptor, so a
// descriptor reused after a close cannot be mistaken for another stream.
type poller struct {
	epfd int
	pipe [2]int // written once, by stop; its read end carries id 0
}

func newPoller() (*poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	p := &poller{epfd: epfd}
	if err := syscall.Pipe2(p.pipe[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		_ = syscall.Close(epfd)
		return nil, err
	}
	if err := p.ctl(syscall.EPOLL_CTL_ADD, p.pipe[0], syscall.EPOLLIN, 0); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

func (p *poller) ctl(op, fd int, events uint32, id uint64) error {
	ev := syscall.EpollEvent{Events: events, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
	return syscall.EpollCtl(p.epfd, op, fd, &ev)
}

// add arms fd, the socket of stream id.
func (p *poller) add(fd int, id uint64) error {
	return p.ctl(syscall.EPOLL_CTL_ADD, fd, syscall.EPOLLRDHUP|syscall.EPOLLONESHOT, id)
}

// del forgets fd.
func (p *poller) del(fd int) { _ = p.ctl(syscall.EPOLL_CTL_DEL, fd, 0, 0) }

// stop wakes the poller's goroutine, which then closes the poller.
func (p *poller) stop() { _, _ = syscall.Write(p.pipe[1], []byte{1}) }

func (p *poller) close() {
	_ = syscall.Close(p.pipe[0])
	_ = syscall.Close(p.pipe[1])
	_ = syscall.Close(p.epfd)
}

// watch is the poller's goroutine: it reports hang-ups until stopped.
func (d *detacher) watch(p *poller) {
	defer p.close()
	events := make([]syscall.EpollEvent, 128)
	for {
		n, err := syscall.EpollWait(p.epfd, events, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			d.failed(p, err)
			return
		}
		for _, ev := range events[:n] {
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if id == 0 {
				return
			}
			d.hangup(id)
		}
	}
}
