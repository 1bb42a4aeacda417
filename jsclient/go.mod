module github.com/ssekit/ssekit/jsclient

go 1.25

require github.com/ssekit/ssekit/ssetest v0.1.0

replace github.com/ssekit/ssekit/ssetest => ../ssetest
