module github.com/ssekit/ssekit/tools/release

go 1.26.0

require golang.org/x/mod v0.43.0

require github.com/ssekit/ssekit/ssetest v0.1.0

replace github.com/ssekit/ssekit/ssetest => ../../ssetest
