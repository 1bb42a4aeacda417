module github.com/ssekit/ssekit/core

go 1.25
