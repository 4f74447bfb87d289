package routing

import "net/url"

func pathUnescape(p string) (string, error) { return url.PathUnescape(p) }
