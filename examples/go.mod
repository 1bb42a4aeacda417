module github.com/ssekit/ssekit/examples

go 1.25
