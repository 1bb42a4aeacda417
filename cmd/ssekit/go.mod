module github.com/ssekit/ssekit/cmd/ssekit

go 1.25.0

require (
	github.com/ssekit/ssekit/client v0.1.0
	github.com/ssekit/ssekit/core v0.1.0
	github.com/ssekit/ssekit/ssetest v0.1.0
)
