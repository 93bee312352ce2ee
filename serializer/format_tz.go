package serializer

import (
	"fmt"
	"sync"
	"time"
)

// tzZoneCache holds the zones loaded so far (successful loads only, so its
// size is bounded by the time zone database).
var tzZoneCache sync.Map // string → *time.Location

// tzLoadZone returns the location of a zoneinfo key. Errors match
// ErrUnsupported.
func tzLoadZone(key string) (*time.Location, error) {
	if loc, ok := tzZoneCache.Load(key); ok {
		return loc.(*time.Location), nil
	}
	if key == "" || key == "Local" { // Go's aliases, not zoneinfo keys
		return nil, fmt.Errorf("%w: zoneinfo key %q", ErrUnsupported, key)
	}
	loc, err := time.LoadLocation(key)
	if err != nil {
		return nil, fmt.Errorf("%w: zoneinfo key %q: %v", ErrUnsupported, key, err)
	}
	tzZoneCache.Store(key, loc)
	return loc, nil
}

// tzPeriod is a span of UTC seconds [start, end) with one offset.
type tzPeriod struct {
	start, end int64
	off        int64
	hasStart   bool
	hasEnd     bool
}

func (p tzPeriod) contains(u int64) bool {
	return (!p.hasStart || u >= p.start) && (!p.hasEnd || u < p.end)
}

// tzZoneOffset returns the utcoffset zoneinfo gives the wall time of dt in
// loc. A wall time that occurs twice takes the earlier offset for fold 0 and
// the later for fold 1; one that falls in a gap takes the offset from before
// the transition for fold 0 and from after it for fold 1.
func tzZoneOffset(loc *time.Location, dt DateTime) time.Duration {
	w := time.Date(dt.Year, time.Month(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second, 0, time.UTC).Unix()
	// Every UTC offset lies within ±26 hours, so the candidate instants
	// w-offset lie in [w-26h, w+26h]: collect the periods covering that.
	const span = 26 * 3600
	var periods [8]tzPeriod
	n := 0
	at := w - span
	for n < len(periods) {
		t := time.Unix(at, 0).In(loc)
		_, off := t.Zone()
		start, end := t.ZoneBounds()
		p := tzPeriod{off: int64(off), hasStart: !start.IsZero(), hasEnd: !end.IsZero()}
		if p.hasStart {
			p.start = start.Unix()
		}
		if p.hasEnd {
			p.end = end.Unix()
		}
		periods[n] = p
		n++
		if !p.hasEnd || p.end > w+span || p.end <= at {
			break
		}
		at = p.end
	}
	ps := periods[:n]
	first, last := -1, -1
	for i, p := range ps {
		if p.contains(w - p.off) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	switch {
	case first >= 0 && dt.Fold == 1:
		return time.Duration(ps[last].off) * time.Second
	case first >= 0:
		return time.Duration(ps[first].off) * time.Second
	}
	// A gap: find the transition it belongs to.
	for i := 0; i+1 < len(ps); i++ {
		if w-ps[i].off >= ps[i].end && w-ps[i+1].off < ps[i+1].start {
			if dt.Fold == 1 {
				return time.Duration(ps[i+1].off) * time.Second
			}
			return time.Duration(ps[i].off) * time.Second
		}
	}
	_, off := time.Unix(w, 0).In(loc).Zone() // not reached with sane zone data
	return time.Duration(off) * time.Second
}

// tzFixedOffset reports whether loc has one offset for all time (no
// transitions, no daylight saving rule) and returns it: zoneinfo's
// "fixed offset" zones, whose utcoffset(None) is not None.
func tzFixedOffset(loc *time.Location) (time.Duration, bool) {
	t := time.Unix(0, 0).In(loc)
	start, end := t.ZoneBounds()
	if !start.IsZero() || !end.IsZero() {
		return 0, false
	}
	_, off := t.Zone()
	return time.Duration(off) * time.Second, true
}
