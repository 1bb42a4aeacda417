package main

import "testing"

// TestParseLevels checks the -b7-levels flag's parser.
func TestParseLevels(t *testing.T) {
	got, err := parseLevels("1000, 10000")
	if err != nil || len(got) != 2 || got[0] != 1000 || got[1] != 10000 {
		t.Fatalf("parseLevels(\"1000, 10000\") = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "1k", "1000,-5"} {
		if _, err := parseLevels(bad); err == nil {
			t.Errorf("parseLevels(%q) accepted", bad)
		}
	}
}
