package ports

import "time"

// RequestObserver records each HTTP request for metrics. Route is the route
// pattern (such as "/sessions/{id}"), never the raw path.
type RequestObserver interface {
	// ObserveRequest records one finished request. It never fails.
	ObserveRequest(route, method string, status int, d time.Duration)
}
