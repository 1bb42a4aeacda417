//go:build !linux

package core

import "errors"

// detachSupported: without epoll, streams keep their goroutine.
const detachSupported = false

type poller struct{}

func newPoller() (*poller, error) { return nil, errors.ErrUnsupported }

func (*poller) add(int, uint64) error { return errors.ErrUnsupported }
func (*poller) del(int)               {}
func (*poller) stop()                 {}

func (d *detacher) watch(*poller) {}
