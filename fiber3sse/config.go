package fiber3sse

import "github.com/gofiber/fiber/v3"

// StreamWriteBufferSize is the smallest fiber.Config.WriteBufferSize with
// which a stream's chunks go out in one write each: fasthttp copies a
// stream to the socket in chunks of up to 4 KiB and flushes after every
// chunk, and with the default 4 KiB write buffer a full chunk plus its size
// line does not fit, so it takes two write syscalls (the second carrying a
// few bytes). The price is the buffer's size class: about 0.75 KiB more per
// open stream.
const StreamWriteBufferSize = 4096 + 16

// Config returns cfg with WriteBufferSize raised to StreamWriteBufferSize
// when it is smaller (0 means Fiber's 4 KiB default), for apps that serve
// busy streams:
//
//	app := fiber.New(fiber3sse.Config(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler}))
func Config(cfg fiber.Config) fiber.Config {
	if cfg.WriteBufferSize < StreamWriteBufferSize {
		cfg.WriteBufferSize = StreamWriteBufferSize
	}
	return cfg
}
