package dashboard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/ssekit/ssekit/examples/dashboard"
)

// Serve the dashboard at the root of an app; everything else it does not
// know answers 404.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.Handle("/", dashboard.Handler())

	for _, path := range []string{"/", "/missing"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, rec.Code)
	}
	// Output:
	// / 200
	// /missing 404
}
