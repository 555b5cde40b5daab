package authdtest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/cmd/authdtest"
)

// A test of a client's expiry handling: the access token works up to the
// last millisecond of its minute and is refused at T+60 s, without a sleep.
func Example() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	T := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	srv := authdtest.Start(t, authdtest.WithStart(T))
	pair := srv.Login(t, "minsu", "1229")

	srv.Advance(59*time.Second + 999*time.Millisecond)
	code, _, _ := srv.Do("GET", "/protected/", "", pair.Access)
	fmt.Println("T+59.999s:", code)

	srv.Advance(time.Millisecond)
	code, body, _ := srv.Do("GET", "/protected/", "", pair.Access)
	fmt.Printf("T+60s: %d %s", code, body)

	next := srv.Refresh(t, pair.Refresh)
	code, _, _ = srv.Do("GET", "/protected/", "", next.Access)
	fmt.Println("after refresh:", code)
	// Output:
	// T+59.999s: 200
	// T+60s: 401 {"error":"token_expired","message":"토큰이 만료되었습니다."}
	// after refresh: 200
}
