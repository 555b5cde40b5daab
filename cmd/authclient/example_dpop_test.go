package authclient_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/authd/authd/cmd/authclient"
	"github.com/authd/authd/cmd/authdtest"
)

// A client that binds its tokens to a DPoP key: every request it sends
// carries a proof made with the key, and a copy of its tokens is worth
// nothing to anyone without it.
func ExampleNewDPoPKey() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	srv := authdtest.Start(t, authdtest.WithStart(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)))

	key, _ := authclient.NewDPoPKey()
	client, _ := authclient.New(authclient.Config{BaseURL: srv.URL, Clock: srv, HTTP: srv.Client(), DPoP: key})
	_ = client.Login(context.Background(), "minsu", "1229")
	tokens, _ := client.Tokens()
	fmt.Println("token_type:", tokens.TokenType)

	res, _ := (&http.Client{Transport: client.Transport(nil)}).Get(srv.URL + "/protected/")
	res.Body.Close()
	fmt.Println("the client, with its key:", res.StatusCode)

	code, _, _ := srv.Do("GET", "/protected/", "", tokens.Access) // the access token alone, as a Bearer token
	fmt.Println("a stolen copy, without it:", code)
	// Output:
	// token_type: DPoP
	// the client, with its key: 200
	// a stolen copy, without it: 401
}
