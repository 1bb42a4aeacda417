package fibersse

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/ssekit/ssekit/core/ext"
)

// ErrorHandler is a fiber.ErrorHandler that answers every error as
// ssekit's routes do: JSON {"error": "…"} with Content-Type
// application/json. The routes answer their own errors that way already;
// ErrorHandler covers the ones fasthttp and Fiber make before a handler
// runs, which would otherwise be text/plain: a body over the app's
// BodyLimit (413), a request line or headers over its ReadBufferSize
// (431), a read timeout (408), an unknown path (404). Give it to the app:
//
//	app := fiber.New(fiber.Config{ErrorHandler: fibersse.ErrorHandler})
//
// A *fiber.Error keeps its status and message; core's errors get the
// status core gives them; any other error is a 500 whose text is not
// revealed. An app that wants its own handler for other routes can call
// ErrorHandler from it for the ssekit paths.
func ErrorHandler(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		msg := fe.Message
		if len(msg) > 200 {
			msg = msg[:200]
		}
		body, _ := json.Marshal(struct {
			Error string `json:"error"`
		}{msg})
		return sendError(c, fe.Code, body)
	}
	status, body := ext.ErrorResponse(err)
	return sendError(c, status, body)
}

func sendError(c *fiber.Ctx, status int, body []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests || status == http.StatusRequestHeaderFieldsTooLarge {
		c.Context().SetConnectionClose()
	}
	return c.Status(status).Send(append(body, '\n'))
}
