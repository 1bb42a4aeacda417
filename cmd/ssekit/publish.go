package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// publish posts one event to the mount's broadcast route and prints its id.
func publish(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	event := fs.String("event", "", "event name (required)")
	data := fs.String("data", "null", "event data: JSON, or text sent as a JSON string")
	topic := fs.String("topic", "", "topic (default: every connection)")
	var filter, meta list
	fs.Var(&filter, "filter", "deliver only to connections whose metadata has key=value (repeatable)")
	fs.Var(&meta, "meta", "envelope metadata key=value (repeatable)")
	token := fs.String("token", os.Getenv("SSE_BROADCAST_TOKEN"), "bearer token (default $SSE_BROADCAST_TOKEN)")
	target, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *event == "" {
		return fmt.Errorf("%w: --event is required", errUsage)
	}
	req := struct {
		Event  string            `json:"event"`
		Data   json.RawMessage   `json:"data"`
		Topic  string            `json:"topic,omitempty"`
		Filter map[string]string `json:"filter,omitempty"`
		Meta   map[string]string `json:"meta,omitempty"`
	}{Event: *event, Data: json.RawMessage(*data), Topic: *topic}
	if !json.Valid(req.Data) {
		req.Data, _ = json.Marshal(*data)
	}
	if req.Filter, err = pairs("filter", filter); err != nil {
		return err
	}
	if req.Meta, err = pairs("meta", meta); err != nil {
		return err
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: %q is not an http or https URL", errUsage, target)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/broadcast"
	u.RawQuery = ""
	body, _ := json.Marshal(req)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	if *token != "" {
		hr.Header.Set("Authorization", "Bearer "+*token)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var doc struct {
		ID    string `json:"id"`
		Error string `json:"error"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(raw, &doc)
	if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK {
		if doc.ID == "" {
			return errors.New("the server answered without an event id: is " + u.String() + " an ssekit broadcast route?")
		}
		fmt.Fprintln(stdout, doc.ID)
		return nil
	}
	msg := doc.Error
	if msg == "" {
		msg = strings.TrimSpace(string(raw))
	}
	return fmt.Errorf("%s %s: %s%s", resp.Status, u.String(), msg, hint(resp.StatusCode, *token != ""))
}

// hint says what to do about a refused publish.
func hint(status int, hasToken bool) string {
	switch status {
	case http.StatusUnauthorized:
		if !hasToken {
			return " (give the broadcast token with --token or SSE_BROADCAST_TOKEN)"
		}
		return " (the server refused the token)"
	case http.StatusForbidden:
		return " (the token is wrong, or the server has broadcast turned off)"
	case http.StatusRequestEntityTooLarge:
		return " (the event is bigger than the server accepts)"
	case http.StatusServiceUnavailable:
		return " (the server is shutting down or overloaded; try again)"
	case http.StatusNotFound:
		return " (is the URL the mount, such as http://127.0.0.1:8080/events?)"
	}
	return ""
}
