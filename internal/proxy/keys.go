package proxy

import "github.com/synapse-fleet/terraform-provider-synapse/internal/routing"

// The request keys of the hashing strategies, exactly as routing.Match computes them; the
// renderers never re-derive them.
var (
	// userTokenPattern captures the user key of a `syt_` access token (capture 1); any other
	// token is its own key.
	userTokenPattern = routing.UserTokenPattern
	// bearerPattern captures the token (capture 1) of an Authorization header.
	bearerPattern = routing.BearerPattern
	// roomKeyPattern captures the room id or alias of a room-keyed request path (capture 1).
	roomKeyPattern = routing.RoomKeyPattern
	// accessTokenParam is the query parameter carrying a token when there is no Bearer header.
	accessTokenParam = routing.AccessTokenParam
)
