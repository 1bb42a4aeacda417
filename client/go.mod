module github.com/ssekit/ssekit/client

go 1.25.0

require (
	github.com/ssekit/ssekit/core v0.1.0
	github.com/ssekit/ssekit/ssetest v0.1.0
)

replace github.com/ssekit/ssekit/core => ../core

replace github.com/ssekit/ssekit/ssetest => ../ssetest
