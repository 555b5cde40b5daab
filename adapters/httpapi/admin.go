package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/authd/authd/domain"
	"github.com/authd/authd/ports"
	"github.com/go-chi/chi/v5"
)

// adminUsers adds the user administration and the audit trail, every
// route behind the admin token (constant-time compare; 401 otherwise).
func (s *server) adminUsers(admin ports.AdminService, token string, both func(method, path string, h http.Handler)) {
	guard := func(h http.Handler) http.Handler { return s.requireSecret(token, h) }
	both(http.MethodGet, "/admin/users", guard(s.handleAdminListUsers(admin)))
	both(http.MethodPost, "/admin/users", guard(s.handleAdminCreateUser(admin)))
	both(http.MethodGet, "/admin/users/{username}", guard(s.handleAdminGetUser(admin)))
	both(http.MethodPatch, "/admin/users/{username}", guard(s.handleAdminUpdateUser(admin)))
	both(http.MethodDelete, "/admin/users/{username}", guard(s.handleAdminDeleteUser(admin)))
	both(http.MethodGet, "/admin/events", guard(s.handleAdminEvents(admin)))
}

// adminUser is a user as the admin API shows it; its hash never is.
type adminUser struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	Disabled  bool   `json:"disabled"`
	CreatedAt string `json:"created_at"`
	Sessions  *int   `json:"sessions,omitempty"`
}

func toAdminUser(u domain.User) adminUser {
	return adminUser{ID: u.ID, Username: u.Username, Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC().Format(time.RFC3339)}
}

func toAdminDetail(d domain.UserDetail) adminUser {
	u := toAdminUser(d.User)
	u.Sessions = &d.Sessions
	return u
}

// pathUsername is the {username} of the path, percent-decoded.
func pathUsername(r *http.Request) string {
	raw := chi.URLParam(r, "username")
	if name, err := url.PathUnescape(raw); err == nil {
		return name
	}
	return raw
}

// limitParam reads ?limit=, 0 (the default page) when absent.
func limitParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, &domain.RequestError{Reason: "limit must be a positive integer"}
	}
	return n, nil
}

// handleAdminListUsers serves GET /admin/users/?after=&limit= → a page of
// users in username order and the cursor of the next ("" at the end).
func (s *server) handleAdminListUsers(admin ports.AdminService) http.Handler {
	type response struct {
		Users []adminUser `json:"users"`
		Next  string      `json:"next"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, err := limitParam(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		list, next, err := admin.ListUsers(r.Context(), r.URL.Query().Get("after"), limit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out := response{Users: make([]adminUser, 0, len(list)), Next: next}
		for _, u := range list {
			out.Users = append(out.Users, toAdminUser(u))
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// handleAdminCreateUser serves POST /admin/users/ {"username","password"}
// → 201 with the user.
func (s *server) handleAdminCreateUser(admin ports.AdminService) http.Handler {
	type request struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req request
		if err := decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		u, err := admin.CreateUser(r.Context(), domain.ActorAdmin, req.Username, req.Password)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, toAdminUser(u))
	})
}

// handleAdminGetUser serves GET /admin/users/{username}/ → the user and its
// live session count.
func (s *server) handleAdminGetUser(admin ports.AdminService) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := admin.User(r.Context(), pathUsername(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toAdminDetail(d))
	})
}

// handleAdminUpdateUser serves PATCH /admin/users/{username}/
// {"disabled": bool} and/or {"password": "..."} → 200 with the user.
func (s *server) handleAdminUpdateUser(admin ports.AdminService) http.Handler {
	type request struct {
		Disabled *bool   `json:"disabled"`
		Password *string `json:"password"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req request
		if err := decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		if req.Disabled == nil && req.Password == nil {
			s.writeError(w, r, &domain.RequestError{Reason: "nothing to change: send disabled or password"})
			return
		}
		d, err := admin.UpdateUser(r.Context(), domain.ActorAdmin, pathUsername(r), domain.UserChange{Disabled: req.Disabled, Password: req.Password})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toAdminDetail(d))
	})
}

// handleAdminDeleteUser serves DELETE /admin/users/{username}/ → 204.
func (s *server) handleAdminDeleteUser(admin ports.AdminService) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := admin.DeleteUser(r.Context(), domain.ActorAdmin, pathUsername(r)); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleAdminEvents serves GET /admin/events/?user=&after=&limit= → a page
// of the audit trail, oldest first, and the cursor of the next (0 at the
// end).
func (s *server) handleAdminEvents(admin ports.AdminService) http.Handler {
	type event struct {
		ID        int64  `json:"id"`
		At        string `json:"at"`
		Kind      string `json:"kind"`
		UserID    string `json:"user_id,omitempty"`
		Username  string `json:"username"`
		Actor     string `json:"actor"`
		RequestID string `json:"request_id,omitempty"`
		ClientIP  string `json:"client_ip,omitempty"`
		ClientID  string `json:"client_id,omitempty"`
	}
	type response struct {
		Events []event `json:"events"`
		Next   int64   `json:"next"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, err := limitParam(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var after int64
		if v := q.Get("after"); v != "" {
			if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
				s.writeError(w, r, &domain.RequestError{Reason: "after must be an event id"})
				return
			}
		}
		list, next, err := admin.Events(r.Context(), q.Get("user"), after, limit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out := response{Events: make([]event, 0, len(list)), Next: next}
		for _, e := range list {
			out.Events = append(out.Events, event{ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano), Kind: string(e.Kind),
				UserID: e.UserID, Username: e.Username, Actor: string(e.Actor), RequestID: e.RequestID, ClientIP: e.ClientIP, ClientID: e.ClientID})
		}
		writeJSON(w, http.StatusOK, out)
	})
}
