package httpapi

import (
	"strconv"
	"strings"
)

// prefersEnglish reports whether an Accept-Language header ranks English
// above Korean (RFC 9110 §12.5.4): by quality, and at equal quality by which
// the client listed first. Korean, the seed's language, is the default; a
// language other than these two counts for neither.
func prefersEnglish(header string) bool {
	if header == "" {
		return false
	}
	en, ko := -1.0, -1.0
	enFirst := false
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch primary {
		case "en":
			if ko < 0 && en < 0 {
				enFirst = true
			}
			en = max(en, q)
		case "ko":
			ko = max(ko, q)
		}
	}
	return en > 0 && (en > ko || en == ko && enFirst)
}
