package fiber3sse

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v3"
	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// ErrorHandler is a fiber.ErrorHandler that answers errors as ssekit's
// routes do: the status and a JSON body {"error": "…"}, with core's
// headers. Give it to the app,
//
//	app := fiber.New(fiber.Config{ErrorHandler: fiber3sse.ErrorHandler})
//
// because some requests fail before any route runs, and Fiber's default
// handler answers those in plain text: fasthttp's own errors, such as a
// body over Config.BodyLimit (413) or headers over Config.ReadBufferSize
// (431), and the router's 404 and 405. A *fiber.Error keeps its status and
// message; any other error is a 500 whose message is not revealed. An app
// with its own error handler can call this one for the event routes.
func ErrorHandler(c fiber.Ctx, err error) error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		err = &core.HTTPError{Status: fe.Code, Message: fe.Message}
	}
	return respond(c, func(w http.ResponseWriter) { ext.WriteError(w, err) })
}
