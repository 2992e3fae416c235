package api

// Error is the body of every error answer:
// {"error": {"code", "message", "field", "details"}}.
type Error struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is what an error answer says.
type ErrorBody struct {
	// Code is the sidecar's error code: invalid_request, not_found,
	// idempotency_conflict, ...
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field is the path of the first problem of a 400, e.g.
	// "cart.items[0].quantity"; Details lists every problem.
	Field   string   `json:"field,omitempty"`
	Details []string `json:"details,omitempty"`
}
