package jwx

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/authd/authd/domain"
)

// The compact-JWS reader: what every JWS authd reads (its tokens, DPoP
// proofs, and tokens a service checks with cmd/authclient) goes through,
// strictly (ADR 0002): the compact serialization only, strict base64url,
// one UTF-8 JSON object per segment, no repeated or case-variant member
// names, no unknown members where the reader lists the known ones.

// checkCompact accepts only the JWS compact serialization: three non-empty
// segments of base64url characters, no padding, no whitespace, at most
// MaxTokenSize bytes.
func checkCompact(token string) error {
	if len(token) > MaxTokenSize {
		return domain.InvalidToken("too large")
	}
	if strings.Count(token, ".") != 2 {
		return domain.InvalidToken("not compact")
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return domain.InvalidToken("not base64url")
		}
	}
	if token[0] == '.' || token[len(token)-1] == '.' || strings.Contains(token, "..") {
		return domain.InvalidToken("empty segment")
	}
	return nil
}

// decodeSegment decodes one base64url segment strictly (no padding, no
// stray bits) and requires its bytes to be UTF-8 where they are JSON.
func decodeSegment(seg string) ([]byte, error) {
	b, err := b64.Strict().DecodeString(seg)
	if err != nil {
		return nil, domain.InvalidToken("base64url")
	}
	return b, nil
}

// decodeObject decodes a JSON object into dst; anything but one UTF-8 JSON
// object is an error.
func decodeObject(data []byte, dst any) error {
	if !utf8.Valid(data) {
		return errString("not UTF-8")
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errString("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(dst); err != nil {
		return errString("not valid JSON of the expected types")
	}
	if dec.More() {
		return errString("data after the JSON object")
	}
	return nil
}

// decodeMembers is decodeObject for a JOSE header or a claims set: it also
// rejects a member name given twice (RFC 7515 §4, RFC 7519 §4) and a name
// that differs only in case from one in known. The names are found by a
// scan of the top level that allocates nothing for names without escapes
// (json.Decoder's token stream cost 180 allocations a token).
func decodeMembers(data []byte, known []string, dst any) error {
	if err := decodeObject(data, dst); err != nil {
		return err
	}
	names, err := memberNames(data)
	if err != nil {
		return err
	}
	for i, name := range names {
		for _, earlier := range names[:i] {
			if name == earlier {
				return errString("member " + strconv.Quote(name) + " is repeated")
			}
		}
		for _, k := range known {
			if name != k && strings.EqualFold(name, k) {
				return errString("member " + strconv.Quote(name) + " is not " + strconv.Quote(k))
			}
		}
	}
	return nil
}

// memberNames returns the member names of the top-level object of data,
// which decodeObject has already found to be one valid JSON object.
func memberNames(data []byte) ([]string, error) {
	names := make([]string, 0, 12)
	i := skipSpace(data, 0) + 1 // past '{'
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] == '}' {
			return names, nil
		}
		if data[i] == ',' {
			i = skipSpace(data, i+1)
		}
		end := skipString(data, i)
		raw := data[i:end]
		name := string(raw[1 : len(raw)-1])
		if bytes.IndexByte(raw, '\\') >= 0 {
			if err := json.Unmarshal(raw, &name); err != nil {
				return nil, errString("not valid JSON")
			}
		}
		names = append(names, name)
		i = skipSpace(data, end) + 1 // past ':'
		i = skipValue(data, skipSpace(data, i))
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// skipString returns the index just past the JSON string starting at i.
func skipString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// skipValue returns the index just past the JSON value starting at i.
func skipValue(data []byte, i int) int {
	depth := 0
	for i < len(data) {
		switch c := data[i]; c {
		case '"':
			i = skipString(data, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of the enclosing object
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

type errString string

func (e errString) Error() string { return string(e) }
