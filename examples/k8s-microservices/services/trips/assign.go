// Package trips matches ride requests to drivers (trip-service).
package trips

// Driver is a driver available for a trip.
type Driver struct {
	ID       string
	Distance float64
}

// Nearest returns the closest available driver, or false when none is free.
func Nearest(drivers []Driver) (Driver, bool) {
	if len(drivers) == 0 {
		return Driver{}, false
	}
	best := drivers[0]
	for _, d := range drivers[1:] {
		if d.Distance < best.Distance {
			best = d
		}
	}
	return best, true
}
