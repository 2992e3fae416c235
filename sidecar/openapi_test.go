package sidecar_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// The spec's server: requests are addressed to it so that the router
// matches them, and the in-memory transport of sidecartest delivers them.
const specServer = "http://127.0.0.1:8181"

// vouchersCampaign is a campaign with generated codes, added to the example
// bundle so that code generation and code lookups have something to serve.
const vouchersCampaign = `{"name": "Generated vouchers", "unique_codes": true, "priority": 5,
 "limits": {"redemptions": 100, "budget": 100000},
 "effects": [{"type": "amount_off", "amount": 500}]}`

// dailyPick is a best-deal campaign with per-period limits: its view
// shows group, limits.per_period and usage.period.
const dailyPick = `{"code": "DAILYPICK", "stacking": "best", "group": "pick", "timezone": "Europe/Paris",
 "limits": {"per_period": {"period": "day", "redemptions": 50, "budget": 50000, "per_customer": 1}},
 "effects": [{"type": "amount_off", "amount": 500}]}`

// conformanceCampaigns are what the conformance test adds to the example
// bundle, in the bundle it starts with and the one it uploads.
var conformanceCampaigns = map[string]string{"promo/campaigns/vouchers/data.json": vouchersCampaign,
	"promo/campaigns/ab-test/data.json": abCampaign, "promo/campaigns/daily-pick/data.json": dailyPick}

func init() {
	// The ledger's NDJSON: the spec shows its lines as an array of records.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", ndjsonDecoder)
	// A bundle upload is a gzip file.
	openapi3filter.RegisterBodyDecoder("application/gzip", openapi3filter.FileBodyDecoder)
	// The dashboard's files are text.
	for _, ct := range []string{"text/html", "text/javascript", "text/css"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

func ndjsonDecoder(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	lines := []any{}
	sc := bufio.NewScanner(body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("ndjson line %d: %w", len(lines)+1, err)
		}
		lines = append(lines, v)
	}
	return lines, sc.Err()
}

// conformance sends real requests to a real sidecar and validates each
// request and each response against the OpenAPI document the sidecar
// serves.
type conformance struct {
	doc    *openapi3.T
	router routers.Router
	// seen counts the operations exercised, by operation id and status.
	seen map[string]map[int]bool
}

func loadSpec(t *testing.T) *conformance {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(sidecar.OpenAPI())
	if err != nil {
		t.Fatalf("loading openapi.yaml: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("routing openapi.yaml: %v", err)
	}
	return &conformance{doc: doc, router: router, seen: map[string]map[int]bool{}}
}

// call is one exchange.
type call struct {
	method, path string
	body         []byte
	contentType  string // "" with a body: application/json
	token        string
	// status is the answer the sidecar must give.
	status int
	// refused says the spec itself refuses the request (the validator must
	// find it invalid), as the sidecar does with a 4xx.
	refused bool
}

var authenticate = func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme.Type != "http" || in.SecurityScheme.Scheme != "bearer" {
		return fmt.Errorf("unexpected security scheme %s/%s", in.SecurityScheme.Type, in.SecurityScheme.Scheme)
	}
	token, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return errors.New("no bearer token")
	}
	return nil
}

func (c call) request(t *testing.T) *http.Request {
	t.Helper()
	req, err := http.NewRequest(c.method, specServer+c.path, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.body != nil {
		ct := c.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req
}

// do validates the request, sends it to s, checks the status and
// validates the response; it returns the response body.
func (cf *conformance) do(t *testing.T, s *sidecartest.Sidecar, c call) []byte {
	t.Helper()
	name := c.method + " " + c.path
	route, params, routeErr := cf.router.FindRoute(c.request(t))
	var in *openapi3filter.RequestValidationInput
	if routeErr == nil {
		in = &openapi3filter.RequestValidationInput{
			Request: c.request(t), PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: authenticate, MultiError: true},
		}
		err := openapi3filter.ValidateRequest(context.Background(), in)
		switch {
		case c.refused && err == nil:
			t.Errorf("%s: the spec accepts a request the sidecar must refuse", name)
		case !c.refused && err != nil:
			t.Errorf("%s: request does not conform: %v", name, err)
		}
	}
	var resp *http.Response
	var out []byte
	if c.status == http.StatusRequestEntityTooLarge { // the head alone: see DoOversized
		resp, out = s.DoOversized(t, c.method, c.path, len(c.body))
	} else {
		client := *s.Client // answers as sent: /ui redirects
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		var err error
		if resp, err = client.Do(c.request(t)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer resp.Body.Close()
		if out, err = io.ReadAll(resp.Body); err != nil {
			t.Fatalf("%s: reading: %v", name, err)
		}
	}
	if resp.StatusCode != c.status {
		t.Fatalf("%s: status %d, want %d: %s", name, resp.StatusCode, c.status, out)
	}
	if routeErr != nil {
		cf.outsideSpec(t, name, routeErr, resp, out)
		return out
	}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(out)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
	if err != nil {
		t.Errorf("%s: response %d does not conform: %v\n%s", name, resp.StatusCode, err, out)
	}
	id := route.Operation.OperationID
	if cf.seen[id] == nil {
		cf.seen[id] = map[int]bool{}
	}
	cf.seen[id][resp.StatusCode] = true
	return out
}

// outsideSpec checks an answer to a path or method the spec does not
// list: the router agrees it is not there (404 or 405, as the sidecar
// said), and the body is the spec's Error.
func (cf *conformance) outsideSpec(t *testing.T, name string, routeErr error, resp *http.Response, out []byte) {
	t.Helper()
	switch {
	case errors.Is(routeErr, routers.ErrPathNotFound) && resp.StatusCode == http.StatusNotFound:
	case errors.Is(routeErr, routers.ErrMethodNotAllowed) && resp.StatusCode == http.StatusMethodNotAllowed:
	default:
		t.Fatalf("%s: the spec has no route (%v) but the sidecar answered %d", name, routeErr, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: content type %q", name, ct)
	}
	var body any
	if err := json.Unmarshal(out, &body); err != nil {
		t.Fatalf("%s: %v: %s", name, err, out)
	}
	if err := cf.doc.Components.Schemas["Error"].Value.VisitJSON(body); err != nil {
		t.Errorf("%s: error body does not conform: %v\n%s", name, err, out)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func redeemCart(order, key, customer string, codes ...string) []byte {
	body := map[string]any{
		"order_id": order, "idempotency_key": key,
		"cart": map[string]any{"id": "c-" + order, "currency": "USD",
			"items":    []any{map[string]any{"id": "l1", "sku": "SHOE-1", "categories": []string{"shoes"}, "quantity": 1, "unit_price": 12000}},
			"shipping": map[string]any{"method": "standard", "amount": 599}},
		"customer": map[string]any{"id": customer, "tier": "vip", "last_order_at": "2026-01-01T10:00:00Z"},
		"context":  map[string]any{"now": "2026-11-24T12:00:00Z", "channel": "web"},
	}
	if len(codes) > 0 {
		body["codes"] = codes
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return b
}

// TestOpenAPIConformance drives every endpoint of a lone sidecar over a
// real bbolt store and the example bundle (plus a campaign with generated
// codes), in success and in error, and validates every request and every
// response against openapi.yaml.
func TestOpenAPIConformance(t *testing.T) {
	cf := loadSpec(t)
	stack := sidecartest.ExampleStack(t, "openapi-1", conformanceCampaigns)
	s := sidecartest.StartDeps(t, stack.Deps, adminToken)
	get := func(path string, status int) []byte {
		return cf.do(t, s, call{method: "GET", path: path, status: status})
	}
	admin := func(method, path string, body []byte, status int) []byte {
		return cf.do(t, s, call{method: method, path: path, body: body, token: adminToken, status: status})
	}

	// Operations.
	get("/health", 200)
	get("/ready", 200)
	if served := get("/v1/openapi.yaml", 200); !bytes.Equal(served, sidecar.OpenAPI()) {
		t.Error("GET /v1/openapi.yaml does not serve the embedded document")
	}
	get("/ui", 301)
	for _, f := range []string{"index.html", "charts.js", "app.js", "style.css"} {
		get("/ui/"+f, 200)
	}
	get("/ui/nope.js", 404)

	// Pricing: the README's cart, the same cart asking for explanations, bad input.
	vip := mustRead(t, "../examples/requests/vip-birthday.json")
	cf.do(t, s, call{method: "POST", path: "/v1/evaluate", body: vip, status: 200})
	explain := bytes.Replace(vip, []byte(`"codes"`), []byte(`"explain": true, "codes"`), 1)
	if out := cf.do(t, s, call{method: "POST", path: "/v1/evaluate", body: explain, status: 200}); !bytes.Contains(out, []byte(`"code_required"`)) {
		t.Errorf("explain lists no code_required: %s", out)
	}
	for _, c := range []call{
		{body: []byte(`{"cart":{"currency":"USD","items":[{"id":"l1","quantity":1.5,"unit_price":1}]}}`), refused: true},
		{body: []byte(`{"customer":{}}`), refused: true},
		{body: []byte(`{"cart":`), refused: true},
		{body: []byte(`{"cart":{"currency":"usd","items":[]}}`), refused: true},
		{body: []byte(`{"cart":{"currency":"USD","items":[{"id":"l1","quantity":1,"unit_price":1},{"id":"l1","quantity":1,"unit_price":1}]}}`)},
		{body: []byte(`{"cart":{"currency":"USD","items":[]},"customer":{"timezone":"Mars/Olympus"}}`)},
	} {
		c.method, c.path, c.status = "POST", "/v1/evaluate", 400
		cf.do(t, s, c)
	}
	cf.do(t, s, call{method: "POST", path: "/v1/evaluate", body: []byte(`{"cart":{"id":"` + strings.Repeat("x", 70<<10) + `","currency":"USD"}}`), status: 413})
	cf.do(t, s, call{method: "POST", path: "/v1/evaluate", body: []byte("<cart/>"), contentType: "text/xml", status: 415, refused: true})

	// Campaigns.
	get("/v1/campaigns", 200)
	get("/v1/campaigns/vouchers", 200)
	if out := get("/v1/campaigns/daily-pick", 200); !bytes.Contains(out, []byte(`"group":"pick"`)) ||
		!bytes.Contains(out, []byte(`"per_period":{"period":"day"`)) || !bytes.Contains(out, []byte(`"period":{"period":"day","start":`)) {
		t.Errorf("a best-deal campaign with per-period limits shows %s", out)
	}
	get("/v1/campaigns/nope", 404)

	// Bundles: a refused upload, an activation, the status.
	cf.do(t, s, call{method: "PUT", path: "/v1/bundles", body: []byte("not a bundle"), contentType: "application/gzip", token: adminToken, status: 400})
	tarball := sidecartest.ExampleTarballWith(t, "openapi-2", conformanceCampaigns)
	cf.do(t, s, call{method: "PUT", path: "/v1/bundles", body: tarball, contentType: "application/gzip", token: adminToken, status: 200})
	cf.do(t, s, call{method: "PUT", path: "/v1/bundles", body: tarball, contentType: "application/gzip", status: 401, refused: true})
	cf.do(t, s, call{method: "PUT", path: "/v1/bundles", body: tarball, contentType: "application/gzip", token: "wrong", status: 401})
	get("/v1/bundles", 200)
	cf.shadow(t, s, tarball) // openapi_shadow_test.go

	// Generated codes.
	out := admin("POST", "/v1/campaigns/vouchers/codes", []byte(`{"count": 3, "pattern": "PE-####-??"}`), 200)
	var made struct{ Codes []string }
	if err := json.Unmarshal(out, &made); err != nil || len(made.Codes) != 3 {
		t.Fatalf("codes: %v %s", err, out)
	}
	code := made.Codes[0]
	cf.do(t, s, call{method: "POST", path: "/v1/campaigns/vouchers/codes", body: []byte(`{"count": 3, "pattern": "PE-AB"}`), token: adminToken, status: 400, refused: true})
	admin("POST", "/v1/campaigns/socks-bogo/codes", []byte(`{"count": 3, "pattern": "S-####"}`), 400)
	admin("POST", "/v1/campaigns/nope/codes", []byte(`{"count": 3, "pattern": "S-####"}`), 404)
	cf.do(t, s, call{method: "POST", path: "/v1/campaigns/vouchers/codes", body: []byte(`{"count": 3, "pattern": "S-####"}`), status: 401, refused: true})
	admin("GET", "/v1/codes/"+code, nil, 200)
	admin("GET", "/v1/codes/NOPE-0000", nil, 404)

	// Redemptions: commit, replay, conflict, bad input, the ledger, rollback.
	first := cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: redeemCart("o-1", "k-1", "u-1", code), status: 200})
	replayed := cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: redeemCart("o-1", "k-1", "u-1", code), status: 200})
	if !bytes.Equal(first, replayed) {
		t.Errorf("replay answered differently:\n%s\n%s", first, replayed)
	}
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: redeemCart("o-2", "k-1", "u-1"), status: 409})
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: []byte(`{"cart":{"currency":"USD","items":[]}}`), status: 400, refused: true})
	admin("GET", "/v1/codes/"+code, nil, 200)
	var receipt struct {
		ID string `json:"redemption_id"`
	}
	if err := json.Unmarshal(first, &receipt); err != nil {
		t.Fatal(err)
	}
	// a best-deal campaign with per-period limits: the ledger names its period
	pick := cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: redeemCart("o-3", "k-3", "u-3", "DAILYPICK"), status: 200})
	if !bytes.Contains(pick, []byte(`"campaign":"daily-pick"`)) {
		t.Errorf("DAILYPICK did not apply: %s", pick)
	}
	if out := admin("GET", "/v1/redemptions?campaign=daily-pick", nil, 200); !bytes.Contains(out, []byte(`"period":"day:2026-11-24:`)) {
		t.Errorf("the ledger of a per-period campaign: %s", out)
	}
	for _, q := range []string{"", "?format=json&campaign=vouchers", "?format=ndjson&customer=u-1", "?format=csv&since=2020-01-01T00:00:00Z", "?order=o-1&code=" + strings.ToLower(code)} {
		admin("GET", "/v1/redemptions"+q, nil, 200)
	}
	cf.do(t, s, call{method: "GET", path: "/v1/redemptions?format=xml", token: adminToken, status: 400, refused: true})
	cf.do(t, s, call{method: "GET", path: "/v1/redemptions?since=yesterday", token: adminToken, status: 400, refused: true})
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions/" + receipt.ID + "/rollback", status: 200})
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions/" + receipt.ID + "/rollback", status: 200})
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions/rd_nope/rollback", status: 404})

	cf.wallets(t, s)      // openapi_wallets_test.go
	cf.events(t, s)       // openapi_events_test.go
	cf.stats(t, s)        // openapi_stats_test.go
	cf.reservations(t, s) // openapi_reservations_test.go

	// Kill switch, cluster.
	admin("POST", "/v1/campaigns/vouchers/disable", nil, 200)
	admin("POST", "/v1/campaigns/vouchers/enable", nil, 200)
	admin("POST", "/v1/campaigns/nope/disable", nil, 404)
	cf.do(t, s, call{method: "POST", path: "/v1/campaigns/vouchers/disable", status: 401, refused: true})
	get("/v1/cluster", 200)
	admin("POST", "/v1/cluster/keys", nil, 409)
	cf.do(t, s, call{method: "POST", path: "/v1/cluster/keys", status: 401, refused: true})

	get("/metrics", 200)
	get("/v1/activity", 200)
	if out := admin("GET", "/v1/backup", nil, 200); len(out) == 0 {
		t.Error("GET /v1/backup: an empty copy")
	}
	cf.do(t, s, call{method: "GET", path: "/v1/backup", status: 401, refused: true})
	cf.access(t, s, stack)

	// Paths and methods the spec does not list.
	get("/v2/evaluate", 404)
	get("/v1/evaluate", 405)
	cf.do(t, s, call{method: "DELETE", path: "/v1/bundles", status: 405})

	// A sidecar without an admin token refuses admin endpoints: 403 to a
	// token, 401 without one (docs/api.md#admin-endpoints).
	closed := sidecartest.StartDeps(t, stack.Deps, "")
	for _, path := range []string{"/v1/campaigns/vouchers/disable", "/v1/cluster/keys"} {
		cf.do(t, closed, call{method: "POST", path: path, token: adminToken, status: 403})
		cf.do(t, closed, call{method: "POST", path: path, status: 401, refused: true})
	}
	cf.do(t, closed, call{method: "PUT", path: "/v1/bundles", body: tarball, contentType: "application/gzip", token: adminToken, status: 403})

	// A sidecar before its first bundle is not ready, and says so in the spec's terms.
	empty := sidecartest.StartWith(t, policies.NewEngine(policies.Config{}), nil, adminToken)
	for _, c := range []call{
		{method: "GET", path: "/ready"},
		{method: "GET", path: "/v1/campaigns"},
		{method: "POST", path: "/v1/evaluate", body: []byte(`{"cart":{"currency":"USD","items":[]}}`)},
		{method: "GET", path: "/v1/redemptions", token: adminToken},
	} {
		c.status = 503
		cf.do(t, empty, c)
	}
	cf.do(t, empty, call{method: "GET", path: "/v1/bundles", status: 200})

	cf.webhooks(t) // openapi_webhooks_test.go
	cf.coverage(t)
}

// coverage fails when an operation of the spec was never exercised, so
// that a new endpoint comes with its conformance check.
func (cf *conformance) coverage(t *testing.T) {
	t.Helper()
	for path, item := range cf.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if len(cf.seen[op.OperationID]) == 0 {
				t.Errorf("%s %s (%s) was not exercised", method, path, op.OperationID)
			}
		}
	}
}
