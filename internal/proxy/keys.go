package proxy

// The request keys of the hashing strategies, as routing defines them (routing.Match is the
// reference). Until the routing package exports them these mirror its documented values; a test
// keeps them equal.
var (
	// userTokenPattern captures the user key of a `syt_` access token (capture 1); any other
	// token is its own key.
	userTokenPattern = `^syt_([A-Za-z0-9]+)`
	// roomKeyPattern captures the room id or alias of a room-keyed request path (capture 1).
	roomKeyPattern = `^/_matrix/client/(?:api/v1|r0|v3|unstable)/(?:rooms|join|knock)/([^/]+)`
	// accessTokenParam is the query parameter carrying a token when there is no
	// Authorization header.
	accessTokenParam = "access_token"
)
