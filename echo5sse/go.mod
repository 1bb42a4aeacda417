module github.com/ssekit/ssekit/echo5sse

go 1.25.0

require (
	github.com/labstack/echo/v5 v5.4.5
	github.com/ssekit/ssekit/core v0.1.0
	github.com/ssekit/ssekit/ssetest v0.1.0
)

require golang.org/x/time v0.15.0 // indirect

replace github.com/ssekit/ssekit/core => ../core

replace github.com/ssekit/ssekit/ssetest => ../ssetest
