// Package docs embeds the documents the service serves itself: the OpenAPI
// description at /openapi.yaml. The rest of this folder is for people.
package docs

import _ "embed"

// OpenAPI is openapi.yaml, the OpenAPI 3.1 description of authd's HTTP API.
//
//go:embed openapi.yaml
var OpenAPI []byte
