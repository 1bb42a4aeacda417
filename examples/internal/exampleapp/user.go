package exampleapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/ssekit/ssekit/core"
	"github.com/ssekit/ssekit/core/ext"
)

// Who a stream belongs to is never taken from its query: ?user_id=alice
// would let anyone read alice's targeted events. The examples' Authorize
// hook reads a signed cookie that the login route sets, and makes user_id
// trusted metadata (a query parameter cannot override it). Other query
// parameters (?channel=sports, ?tenant=acme) stay connection metadata.

// UserCookie is the cookie the login route sets: "<user>.<hex HMAC>".
const UserCookie = "ssekit_user"

// UserToken returns the signed token of user, as the login route sets it.
func UserToken(cfg Config, user string) string {
	mac := hmac.New(sha256.New, []byte("ssekit-example-user:"+cfg.Token))
	mac.Write([]byte(user))
	return user + "." + hex.EncodeToString(mac.Sum(nil))
}

// verifyUser returns the user a token was signed for.
func verifyUser(cfg Config, token string) (string, bool) {
	i := strings.LastIndexByte(token, '.')
	if i <= 0 {
		return "", false
	}
	user := token[:i]
	return user, hmac.Equal([]byte(UserToken(cfg, user)), []byte(token))
}

// Authorize is the examples' stream Authorize hook: a request with a valid
// user cookie gets user_id (and the identity) set to its user, others get
// an empty user_id, which no ?user_id= can override. A forged cookie gets
// 401.
func Authorize(cfg Config) func(r *http.Request) (core.Access, error) {
	return func(r *http.Request) (core.Access, error) {
		user := ""
		if c, err := r.Cookie(UserCookie); err == nil {
			u, ok := verifyUser(cfg, c.Value)
			if !ok {
				return core.Access{}, core.Unauthorized("invalid user cookie")
			}
			user = u
		}
		return core.Access{Identity: user, Meta: map[string]string{"user_id": user}}, nil
	}
}

// LoginHandler serves POST /admin/login?user=NAME (bearer token): it stands
// in for an app's real login, and sets the signed user cookie that the
// Authorize hook trusts. The body is {"user": …, "cookie": …}.
func LoginHandler(cfg Config) http.Handler {
	auth := core.BearerToken(cfg.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			ext.WriteError(w, &core.HTTPError{Status: http.StatusMethodNotAllowed, Message: "POST only"})
			return
		}
		if err := auth(r); err != nil {
			ext.WriteError(w, err)
			return
		}
		user := r.URL.Query().Get("user")
		if user == "" || len(user) > core.MaxMetaValueLen || strings.ContainsAny(user, ".;, \"") {
			ext.WriteError(w, &core.HTTPError{Status: http.StatusBadRequest, Message: "user: 1-256 bytes without . ; , space or quote"})
			return
		}
		token := UserToken(cfg, user)
		http.SetCookie(w, &http.Cookie{Name: UserCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(24 * time.Hour)})
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"user": user, "cookie": UserCookie + "=" + token})
	})
}
