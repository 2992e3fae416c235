package policies

import (
	"sync"
	"sync/atomic"
	"time"
)

// zoneCache loads time zones by name, each once: a request's customer names
// their zone, and loading one (time.LoadLocation reads the zone data)
// costs more than pricing a small cart. It keeps zone data only, never
// anything of a request, and at most maxZones of them. The zero value is
// ready; a nil *zoneCache loads every time.
type zoneCache struct {
	m sync.Map // name -> *time.Location
	n atomic.Int32
}

// maxZones bounds the zones kept: there are about 600, so a client sending
// made-up names cannot grow the map beyond it (unknown names are refused
// and never kept).
const maxZones = 1024

// Load is time.LoadLocation, remembered.
func (z *zoneCache) Load(name string) (*time.Location, error) {
	if z == nil {
		return time.LoadLocation(name)
	}
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err == nil && z.n.Load() < maxZones {
		if _, loaded := z.m.LoadOrStore(name, loc); !loaded {
			z.n.Add(1)
		}
	}
	return loc, err
}
