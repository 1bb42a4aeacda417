module github.com/ssekit/ssekit/jsclient

go 1.25
