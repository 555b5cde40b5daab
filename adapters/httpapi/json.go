package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/authd/authd/domain"
)

// MaxBodyBytes is the largest request body authd reads (docs/contract.md §6).
const MaxBodyBytes = 16 << 10

// writeJSON writes v as the JSON response body with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing to tell it
}

// hasBody reports whether the request carries a body at all.
func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// decode reads the body, which must be a JSON object of at most MaxBodyBytes
// with Content-Type application/json or any application/*+json (RFC 6839,
// as the seed accepted), into dst. It returns errPayloadTooLarge
// (without reading a larger declared body at all), errUnsupportedMedia, or a
// *domain.RequestError; never a panic, whatever the body holds.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if r.ContentLength > MaxBodyBytes {
		return errPayloadTooLarge
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !isJSON(mt) {
		return errUnsupportedMedia
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errPayloadTooLarge
	case err != nil:
		return &domain.RequestError{Reason: "body could not be read"}
	}
	body = bytes.TrimLeft(body, " \t\r\n")
	if len(body) == 0 || body[0] != '{' {
		return &domain.RequestError{Reason: "body must be a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return &domain.RequestError{Reason: "body is not valid JSON or has wrong field types"}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &domain.RequestError{Reason: "body has data after the JSON object"}
	}
	return nil
}

// isJSON reports whether a media type is JSON: application/json, or a
// structured-syntax suffix +json under application (RFC 6839 §3.1).
func isJSON(mt string) bool {
	sub, ok := strings.CutPrefix(mt, "application/")
	return ok && (sub == "json" || (strings.HasSuffix(sub, "+json") && len(sub) > len("+json")))
}
