package fiber3sse_test

import (
	"context"
	"net/http/httptrace"
)

// withReuseTrace sets *reused when the request goes out on a kept-alive
// connection.
func withReuseTrace(ctx context.Context, reused *bool) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { *reused = info.Reused },
	})
}
