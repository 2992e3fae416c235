package policies

// Switches is the campaigns' kill switch, set at run time over the admin
// API and spread across the cluster: a campaign it reports disabled is
// rejected with `disabled` whatever its document says.
type Switches interface {
	Disabled(campaign string) bool
}

// switchedOff reports whether the kill switch holds campaign off.
func (ev *evaluation) switchedOff(campaign string) bool {
	return ev.kill != nil && ev.kill.Disabled(campaign)
}

// Disabled reports whether the kill switch holds campaign off.
func (e *Engine) Disabled(campaign string) bool {
	return e.switches != nil && e.switches.Disabled(campaign)
}
