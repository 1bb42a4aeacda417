package loadgen

import (
	"os"
	"testing"

	"github.com/ssekit/ssekit/ssetest"
)

func TestMain(m *testing.M) { ssetest.LeakCheck(m) }

func TestCountModCountsSequencesOfOneTopic(t *testing.T) {
	for _, c := range []struct{ lo, hi, m, r, want int64 }{
		{0, 10, 1, 0, 10}, {2, 10, 1, 0, 8}, {0, 10, 3, 0, 4}, {0, 10, 3, 2, 3}, {4, 10, 3, 1, 2}, {5, 5, 2, 1, 0},
	} {
		n := int64(0)
		for k := c.lo; k < c.hi; k++ {
			if k%c.m == c.r {
				n++
			}
		}
		if got := countMod(c.lo, c.hi, c.m, c.r); got != c.want || got != n {
			t.Errorf("countMod%v = %d, want %d (brute %d)", c, got, c.want, n)
		}
	}
}

func TestCPUTimeOfThisProcessIsReadable(t *testing.T) {
	x := 0
	for i := 0; i < 50_000_000; i++ {
		x += i
	}
	if CPUTime(os.Getpid()) <= 0 || x == 0 {
		t.Fatal("no CPU time read from /proc")
	}
}
