module github.com/ssekit/ssekit/ssetest

go 1.25
