package policies

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies/internal/field"
)

// ActionType names what a trigger does when it fires.
type ActionType string

// The actions of SPEC §13.
const (
	ActionIssueCode ActionType = "issue_code"
	ActionPoints    ActionType = "points"
	ActionWebhook   ActionType = "webhook"
)

// Action is one thing a trigger does when it fires; the fields of its
// type are set.
type Action struct {
	Type ActionType `json:"type"`
	// Campaign (issue_code) is the unique_codes campaign the code is for.
	Campaign string `json:"campaign,omitempty"`
	// Pattern (issue_code) makes the code, as code generation's does
	// (DefaultIssuePattern when not given), with Prefix and Postfix.
	Pattern string `json:"pattern,omitempty"`
	Prefix  string `json:"prefix,omitempty"`
	Postfix string `json:"postfix,omitempty"`
	// Points (points) are credited to the customer's wallet as an active
	// lot on the loyalty program's terms.
	Points int64 `json:"points,omitempty"`
	// Endpoint (webhook) is the webhook endpoint the firing is reported
	// to (--webhook NAME=URL).
	Endpoint string `json:"endpoint,omitempty"`
}

// DefaultIssuePattern makes the codes of an issue_code action without a
// pattern: 26^4 * 10^4 of them.
const DefaultIssuePattern = "????-####"

// actionKinds reads each action type's fields: a new action is one row
// here and its effect in the store's firing.
var actionKinds = map[ActionType]func(o *field.Obj, a *Action){
	ActionIssueCode: readIssueCode,
	ActionPoints:    readPointsAction,
	ActionWebhook:   readWebhookAction,
}

// ActionTypes lists the action types, sorted.
func ActionTypes() []string {
	out := make([]string, 0, len(actionKinds))
	for k := range maps.Keys(actionKinds) {
		out = append(out, string(k))
	}
	slices.Sort(out)
	return out
}

func readActions(o *field.Obj) []Action {
	if !o.Has("actions") {
		o.Fail("actions", "is required: what the trigger does (%s)", strings.Join(ActionTypes(), ", "))
		return nil
	}
	objs := o.Objects("actions")
	if len(objs) == 0 {
		o.Fail("actions", "must list at least one action")
	}
	out := make([]Action, 0, len(objs))
	for _, ao := range objs {
		if ao == nil {
			out = append(out, Action{})
			continue
		}
		a := Action{Type: ActionType(ao.String("type", ""))}
		read, ok := actionKinds[a.Type]
		if !ok {
			ao.Fail("type", "unknown action %q%s; one of %s", a.Type, suggest.DidYouMean(string(a.Type), ActionTypes()), strings.Join(ActionTypes(), ", "))
			out = append(out, a) // keeps the indexes of the actions after it
			continue
		}
		read(ao, &a)
		ao.Strict()
		out = append(out, a)
	}
	return out
}

func readIssueCode(o *field.Obj, a *Action) {
	a.Campaign = o.String("campaign", "")
	a.Pattern = o.String("pattern", DefaultIssuePattern)
	a.Prefix, a.Postfix = o.String("prefix", ""), o.String("postfix", "")
	if a.Campaign == "" {
		o.Fail("campaign", "is required: the unique_codes campaign whose code is issued")
	}
	sp := CodeSpec{Count: 1, Pattern: a.Pattern, Prefix: a.Prefix, Postfix: a.Postfix}
	if err := sp.Validate(); err != nil {
		o.Fail("pattern", "%v", err)
	} else if sp.Space() < 1e6 {
		o.Fail("pattern", "makes only %.0f codes; an issued code must be hard to guess: use at least 6 '#' or '?'", sp.Space())
	}
}

func readPointsAction(o *field.Obj, a *Action) {
	a.Points = o.Int("points", 0, 1)
	if !o.Has("points") {
		o.Fail("points", "is required: the points credited")
	} else if a.Points > MaxPoints {
		o.Fail("points", "must be at most %d, got %d", int64(MaxPoints), a.Points)
	}
}

func readWebhookAction(o *field.Obj, a *Action) {
	a.Endpoint = o.String("endpoint", "")
	if a.Endpoint == "" {
		o.Fail("endpoint", "is required: the webhook endpoint's name (--webhook NAME=URL)")
	}
}

// String describes a for errors and logs.
func (a Action) String() string { return fmt.Sprintf("%s action", a.Type) }
