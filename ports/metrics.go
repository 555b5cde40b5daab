package ports

import "time"

// RequestObserver records each HTTP request for metrics. Route is the route
// pattern (such as "/sessions/{id}") or "unmatched", never the raw path, and
// method is a standard method or "other", so the labels stay a small fixed
// set whatever clients send.
type RequestObserver interface {
	// ObserveRequest records one finished request. It never fails.
	ObserveRequest(route, method string, status int, d time.Duration)
}
